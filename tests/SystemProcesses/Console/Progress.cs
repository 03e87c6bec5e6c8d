using OrderSystem.SystemProcesses.Machine;

namespace OrderSystem.SystemProcesses.Console;

/// <summary>
/// What a long-running driver prints on stderr while it runs: one line rewritten in place (<see cref="Line"/>), notes
/// that stay (<see cref="Note"/>), each with the load average. <see cref="Persistent"/> writes every line as a note:
/// for logs that are not a terminal (a test's output).
/// </summary>
public static class Progress
{
    private static string _phase = "";

    /// <summary>The tag in front of every line, e.g. <c>e2e</c> or <c>chaos</c>.</summary>
    public static string Tag { get; set; } = "run";

    /// <summary>Where lines go: stderr by default.</summary>
    public static TextWriter Output { get; set; } = System.Console.Error;

    /// <summary>Writes every line on a line of its own (no carriage return).</summary>
    public static bool Persistent { get; set; }

    public static void Phase(string name) => _phase = name;

    public static void Line(string text)
    {
        if (Persistent) Note($"{_phase}: {text}");
        else Output.Write($"\r[{Tag}] {_phase}: {text} (load {LoadAverage.Read()})".PadRight(110));
    }

    public static void Note(string text)
    {
        if (Persistent) Output.WriteLine($"[{Tag}] {text} (load {LoadAverage.Read()})");
        else Output.WriteLine($"\r[{Tag}] {text}".PadRight(110));
    }

    public static void Done()
    {
        if (!Persistent) Output.WriteLine();
    }
}
