using OrderSystem.SystemProcesses.Machine;

namespace OrderSystem.SystemProcesses.Console;

/// <summary>
/// What a long-running driver prints on stderr while it runs: one line rewritten in place (<see cref="Line"/>), notes
/// that stay (<see cref="Note"/>), each with the load average. <see cref="Persistent"/> writes a line as a note, at
/// most one every few seconds: for logs that are not a terminal (a test's output). Every note carries the UTC time of
/// day, to be read next to the services' logs, which carry the same stamps.
/// </summary>
public static class Progress
{
    private static readonly TimeSpan PersistentLineInterval = TimeSpan.FromSeconds(5);
    private static string _phase = "";
    private static DateTime _lastPersistentLine;

    /// <summary>The tag in front of every line, e.g. <c>e2e</c> or <c>chaos</c>.</summary>
    public static string Tag { get; set; } = "run";

    /// <summary>Where lines go: stderr by default.</summary>
    public static TextWriter Output { get; set; } = System.Console.Error;

    /// <summary>Lines as notes, at most one every few seconds (no carriage returns).</summary>
    public static bool Persistent { get; set; }

    public static void Phase(string name) => _phase = name;

    /// <summary>The phase the driver is in (what a run that gives up names as the place it was stuck).</summary>
    public static string CurrentPhase => _phase;

    public static void Line(string text)
    {
        if (Persistent)
        {
            // A log keeps every line: one every few seconds is enough to follow a run.
            if (DateTime.UtcNow - _lastPersistentLine < PersistentLineInterval) return;
            _lastPersistentLine = DateTime.UtcNow;
            Note($"{_phase}: {text}");
            return;
        }

        Output.Write($"\r[{Tag}] {_phase}: {text} (load {LoadAverage.Read()})".PadRight(110));
    }

    public static void Note(string text)
    {
        if (Persistent) Output.WriteLine($"[{Tag} {DateTime.UtcNow:HH:mm:ss}] {text} (load {LoadAverage.Read()})");
        else Output.WriteLine($"\r[{Tag} {DateTime.UtcNow:HH:mm:ss}] {text}".PadRight(110));
    }

    public static void Done()
    {
        if (!Persistent) Output.WriteLine();
    }
}
