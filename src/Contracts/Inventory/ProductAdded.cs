namespace OrderSystem.Contracts.Inventory;

/// <summary>Published by Inventory when an operator added a product to the catalog (<c>POST /products</c>).</summary>
public record ProductAdded(string Sku, string Name, decimal Price, int Available, DateTimeOffset AddedAt);
