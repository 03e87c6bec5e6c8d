using MassTransit;
using OrderSystem.Messaging.Sagas;

namespace OrderSystem.Ordering.Saga;

/// <summary>
/// The order saga's data, one row per order in orderdb (table <c>order_states</c>). The order's lifecycle lives here;
/// what the customer asked for lives in <see cref="Orders.Order"/>, written by the API.
/// </summary>
public class OrderState : SagaStateMachineInstance, ISagaRowVersion
{
    /// <summary>The order id: every message of the flow carries it.</summary>
    public Guid CorrelationId { get; set; }

    /// <summary>Name of the current state (Submitted, StockReserved, Confirmed, Rejected, Cancelled).</summary>
    public string CurrentState { get; set; } = null!;

    public string CustomerId { get; set; } = null!;

    /// <summary>Set from <c>StockReserved</c>: Inventory prices the lines when it reserves them.</summary>
    public decimal? Total { get; set; }

    /// <summary>Why the order was rejected or cancelled.</summary>
    public string? Reason { get; set; }

    /// <summary>Token of the pending payment timeout, if any (MassTransit's <c>Schedule</c> keeps it here).</summary>
    public Guid? PaymentTimeoutTokenId { get; set; }

    /// <summary>Every state the order entered, oldest first.</summary>
    public List<OrderStateChange> History { get; set; } = [];

    /// <summary>Optimistic-concurrency token; PostgreSQL's <c>xmin</c> system column, no physical column.</summary>
    public uint RowVersion { get; set; }
}
