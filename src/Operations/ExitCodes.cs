namespace OrderSystem.Operations;

/// <summary>The tool's exit codes, for scripts.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command started and failed (broker unreachable, queue missing, a publish not confirmed…).</summary>
    public const int Error = 1;

    /// <summary>The command was refused before touching anything: bad arguments, missing credentials, no confirmation.</summary>
    public const int Usage = 2;
}
