namespace OrderSystem.Testing.Operations;

/// <summary>What one <c>ordersystem-ops</c> command did: its exit code and what it wrote.</summary>
public sealed record OpsResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}--- stderr\n{Error}";
}
