namespace OrderSystem.Messaging.Storage;

/// <summary>
/// One row per (message id, consumer id) a consumer outbox has seen: the inbox. Its row lock serialises concurrent
/// deliveries of the same message to the same consumer, and its <see cref="Consumed"/>/<see cref="Delivered"/> stamps
/// record how far that message got, so a duplicate never reaches the consumer twice.
/// Table <c>inbox_state</c>.
/// </summary>
public class InboxState
{
    /// <summary>Surrogate key (identity).</summary>
    public long Id { get; set; }

    /// <summary>The received message's id (the original one when the message was redelivered).</summary>
    public Guid MessageId { get; set; }

    /// <summary>MassTransit's consumer id: a hash of consumer, message type and queue names.</summary>
    public Guid ConsumerId { get; set; }

    /// <summary>Changed on every pass, so that every pass writes the row before doing work (a real lock).</summary>
    public Guid LockId { get; set; }

    /// <summary>PostgreSQL <c>xmin</c> (no physical column): optimistic concurrency token.</summary>
    public uint RowVersion { get; set; }

    public DateTime Received { get; set; }

    public int ReceiveCount { get; set; }

    public DateTime? ExpirationTime { get; set; }

    /// <summary>When the consumer's transaction committed.</summary>
    public DateTime? Consumed { get; set; }

    /// <summary>When every message the consumer produced had been handed to the broker.</summary>
    public DateTime? Delivered { get; set; }

    /// <summary>Sequence number of the last outbox message handed to the broker.</summary>
    public long? LastSequenceNumber { get; set; }
}
