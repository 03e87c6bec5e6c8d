namespace OrderSystem.Operations;

/// <summary>
/// What the tool talks to: its output and error writers, its input, whether a person sits at that input, and the
/// environment variables it reads. The process uses the console; tests pass writers and a dictionary, so they run the
/// real parsing and commands in-process.
/// </summary>
public sealed record Terminal(
    TextWriter Output,
    TextWriter Error,
    TextReader Input,
    bool IsInteractive,
    Func<string, string?> GetEnvironmentVariable)
{
    public static Terminal System => new(
        Console.Out, Console.Error, Console.In, !Console.IsInputRedirected, Environment.GetEnvironmentVariable);
}
