namespace OrderSystem.Ordering.Orders;

/// <summary>One line of a submitted order.</summary>
public record OrderItem(string Sku, int Quantity);
