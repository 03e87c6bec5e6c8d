namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// Header names. The <c>MT-</c> ones are MassTransit 8.5's (it writes them when it moves a message to
/// <c>&lt;queue&gt;_error</c>); the <c>x-redrive</c>/<c>x-last-fault</c> ones are this tool's audit trail.
/// </summary>
public static class FaultHeaders
{
    public const string FaultPrefix = "MT-Fault-";
    public const string ExceptionType = "MT-Fault-ExceptionType";
    public const string Message = "MT-Fault-Message";
    public const string StackTrace = "MT-Fault-StackTrace";
    public const string Timestamp = "MT-Fault-Timestamp";
    public const string ConsumerType = "MT-Fault-ConsumerType";
    public const string MessageType = "MT-Fault-MessageType";
    public const string InputAddress = "MT-Fault-InputAddress";
    public const string RetryCount = "MT-Fault-RetryCount";
    public const string Reason = "MT-Reason";
    public const string RedeliveryCount = "MT-Redelivery-Count";

    /// <summary>How many times this tool has re-driven the message.</summary>
    public const string RedriveCount = "x-redrive-count";

    /// <summary>When it was last re-driven (ISO 8601, UTC).</summary>
    public const string RedrivenAt = "x-redriven-at";

    /// <summary>The error queue it was last re-driven from.</summary>
    public const string RedrivenFrom = "x-redriven-from";

    /// <summary>When the message first faulted, kept across re-drives (MT-Fault-Timestamp only knows the latest fault).</summary>
    public const string FirstFaultTimestamp = "x-first-fault-timestamp";

    /// <summary>Prefix under which the previous fault's MT-Fault-* headers are kept on a re-driven message.</summary>
    public const string LastFaultPrefix = "x-last-fault-";
}
