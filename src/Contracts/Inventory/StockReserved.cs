namespace OrderSystem.Contracts.Inventory;

/// <summary>
/// Published by Inventory: every line of the order is reserved. Carries the lines priced at Inventory's prices and their
/// total, which is how the order's total reaches the saga (Inventory owns prices).
/// </summary>
public record StockReserved(Guid OrderId, IReadOnlyList<PricedLine> Lines, decimal Total);
