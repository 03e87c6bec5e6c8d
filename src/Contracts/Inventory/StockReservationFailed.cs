namespace OrderSystem.Contracts.Inventory;

/// <summary>Published by Inventory: nothing was reserved for the order, and why (out of stock, unknown SKU, already released).</summary>
public record StockReservationFailed(Guid OrderId, string Reason);
