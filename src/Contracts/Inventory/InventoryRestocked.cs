namespace OrderSystem.Contracts.Inventory;

/// <summary>
/// Published by Inventory when an operator added units to a product (<c>POST /products/{sku}/restock</c>):
/// <paramref name="Quantity"/> more for sale, and the stock right after, in the same transaction.
/// </summary>
public record InventoryRestocked(string Sku, int Quantity, int Available, int Reserved, DateTimeOffset RestockedAt);
