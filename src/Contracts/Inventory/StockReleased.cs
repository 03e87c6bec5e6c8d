namespace OrderSystem.Contracts.Inventory;

/// <summary>Published by Inventory once per order whose reservation was released (or refused in advance).</summary>
public record StockReleased(Guid OrderId);
