using OrderSystem.Contracts.Ordering;

namespace OrderSystem.Contracts.Inventory;

/// <summary>
/// Published by the order saga: reserve every line of the order, or none. Answered by <see cref="StockReserved"/> or
/// <see cref="StockReservationFailed"/>. Handling it twice for one order has one effect.
/// </summary>
public record ReserveStock(Guid OrderId, IReadOnlyList<OrderLine> Lines);
