namespace OrderSystem.Messaging.Storage;

/// <summary>
/// One row per committed transaction that produced messages outside a consumer (the bus outbox). The delivery service
/// locks it (<c>FOR UPDATE SKIP LOCKED</c>), sends its messages in sequence order, and deletes it with them.
/// Table <c>outbox_state</c>.
/// </summary>
public class OutboxState
{
    public Guid OutboxId { get; set; }

    /// <summary>Changed by the delivery pass that last worked on this outbox (diagnostics).</summary>
    public Guid LockId { get; set; }

    /// <summary>PostgreSQL <c>xmin</c> (no physical column).</summary>
    public uint RowVersion { get; set; }

    /// <summary>When the producing transaction wrote it; delivery goes oldest first.</summary>
    public DateTime Created { get; set; }
}
