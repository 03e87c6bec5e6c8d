namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// Header names. The <c>MT-</c> ones are MassTransit 8.5's (it writes them when it moves a message to
/// <c>&lt;queue&gt;_error</c>); the <c>x-death</c> family is RabbitMQ's (it writes them when it dead-letters a message
/// itself, e.g. at a quorum queue's delivery limit); the <c>x-redrive</c>/<c>x-last-fault</c> ones are this tool's audit trail.
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

    /// <summary>RabbitMQ's dead-letter history: a list of tables (reason, queue, time, count, exchange, routing-keys).</summary>
    public const string Death = "x-death";

    /// <summary>Why RabbitMQ first dead-lettered the message: delivery_limit, rejected, expired or maxlen.</summary>
    public const string FirstDeathReason = "x-first-death-reason";

    /// <summary>The queue RabbitMQ first dead-lettered the message from.</summary>
    public const string FirstDeathQueue = "x-first-death-queue";

    /// <summary>Prefix of RabbitMQ's other dead-letter headers (x-first-death-exchange; x-last-death-* on RabbitMQ 3.13+).</summary>
    public const string FirstDeathPrefix = "x-first-death-";

    /// <summary>Prefix of RabbitMQ 3.13+'s headers about the latest dead-lettering.</summary>
    public const string LastDeathPrefix = "x-last-death-";

    /// <summary>A quorum queue's count of earlier deliveries that ended unacknowledged (set on redelivery).</summary>
    public const string DeliveryCount = "x-delivery-count";

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
