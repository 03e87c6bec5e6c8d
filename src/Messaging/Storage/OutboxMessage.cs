namespace OrderSystem.Messaging.Storage;

/// <summary>
/// A message sent, published or scheduled by code whose transaction had not committed yet. Exactly one of three owners:
/// <list type="bullet">
/// <item>a consumed message (<see cref="InboxMessageId"/> + <see cref="InboxConsumerId"/>): the consumer outbox delivers it
/// right after the consumer's transaction commits;</item>
/// <item>a bus-outbox transaction (<see cref="OutboxId"/>): the delivery service sends it;</item>
/// <item>none, with an <see cref="EnqueueTime"/>: a scheduled message, held by the delivery service until due and
/// cancellable through <see cref="ScheduleTokenId"/>.</item>
/// </list>
/// Table <c>outbox_message</c>.
/// </summary>
public class OutboxMessage
{
    /// <summary>Identity: the order in which the producing code sent its messages.</summary>
    public long SequenceNumber { get; set; }

    /// <summary>When a scheduled message becomes due (UTC); null for an immediate one.</summary>
    public DateTime? EnqueueTime { get; set; }

    public DateTime SentTime { get; set; }

    /// <summary>Message headers, JSON (includes <c>traceparent</c>, <c>tracestate</c>, <c>baggage</c> of the producing span).</summary>
    public string? Headers { get; set; }

    /// <summary>Transport properties (routing key, priority…), JSON.</summary>
    public string? Properties { get; set; }

    public Guid? InboxMessageId { get; set; }

    public Guid? InboxConsumerId { get; set; }

    public Guid? OutboxId { get; set; }

    /// <summary>The scheduling token (MassTransit's <c>ScheduledMessage.TokenId</c>) of a scheduled message.</summary>
    public Guid? ScheduleTokenId { get; set; }

    public Guid MessageId { get; set; }

    public string ContentType { get; set; } = "";

    public string MessageType { get; set; } = "";

    public string Body { get; set; } = "";

    public Guid? ConversationId { get; set; }

    public Guid? CorrelationId { get; set; }

    public Guid? InitiatorId { get; set; }

    public Guid? RequestId { get; set; }

    public string? SourceAddress { get; set; }

    public string? DestinationAddress { get; set; }

    public string? ResponseAddress { get; set; }

    public string? FaultAddress { get; set; }

    public DateTime? ExpirationTime { get; set; }

    /// <summary>True for a scheduled message (held by the delivery service until <see cref="EnqueueTime"/>).</summary>
    public bool IsScheduled => InboxMessageId is null && OutboxId is null;
}
