namespace OrderSystem.Contracts.Ordering;

/// <summary>What the customer asked for: a product and how many.</summary>
public record OrderLine(string Sku, int Quantity);
