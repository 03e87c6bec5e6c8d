namespace OrderSystem.Ordering.StateFeed;

/// <summary>
/// An order entered <see cref="State"/>: one event of <c>GET /orders/events</c> (server-sent event <c>state</c>), with the
/// order as it stood then (history oldest first, ending with this state). The JSON shape of <c>GET /orders/{id}</c>
/// without the lines.
/// </summary>
public record OrderStateChanged(
    Guid OrderId,
    string CustomerId,
    string State,
    decimal? Total,
    string? Reason,
    IReadOnlyList<OrderStateChanged.Entry> History)
{
    public record Entry(string State, DateTimeOffset At);
}
