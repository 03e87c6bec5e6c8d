namespace OrderSystem.Operations;

/// <summary>
/// A failure the operator can act on. Its message is printed as one line on stderr and the process exits with
/// <see cref="ExitCode"/>. Messages never contain passwords.
/// </summary>
public sealed class CommandFailedException(string message, int exitCode = ExitCodes.Error, Exception? inner = null)
    : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;

    public static CommandFailedException Usage(string message) => new(message, ExitCodes.Usage);
}
