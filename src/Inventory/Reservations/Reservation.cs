using OrderSystem.Contracts.Inventory;
using OrderSystem.Contracts.Ordering;

namespace OrderSystem.Inventory.Reservations;

/// <summary>
/// What Inventory did for one order (table <c>reservations</c>, primary key = order id): at most one row per order, so
/// a second <c>ReserveStock</c> or <c>ReleaseStock</c> finds it and repeats the answer instead of acting again.
/// </summary>
public class Reservation
{
    public Guid OrderId { get; set; }
    public ReservationStatus Status { get; set; }

    /// <summary>The reserved lines at the prices charged; empty unless the stock was reserved.</summary>
    public List<PricedLine> Lines { get; set; } = [];

    public decimal Total { get; set; }
    public string? Reason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
