namespace OrderSystem.Contracts.Inventory;

/// <summary>
/// Published by Inventory when an operator set the units for sale of a product (<c>PUT /products/{sku}/stock</c>),
/// e.g. after a count. Reserved units are not part of it and did not change.
/// </summary>
public record StockLevelSet(string Sku, int PreviousAvailable, int Available, int Reserved, DateTimeOffset SetAt);
