namespace OrderSystem.Contracts.Inventory;

/// <summary>
/// Published by the order saga when an order is cancelled: give back whatever is reserved for it. Handling it twice has one
/// effect; handled before <see cref="ReserveStock"/>, it makes the later reservation fail, so a late reservation never
/// holds stock for a cancelled order.
/// </summary>
public record ReleaseStock(Guid OrderId);
