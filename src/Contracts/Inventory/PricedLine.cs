namespace OrderSystem.Contracts.Inventory;

/// <summary>A reserved order line with the unit price Inventory charged it at (Inventory owns prices).</summary>
public record PricedLine(string Sku, int Quantity, decimal UnitPrice)
{
    public decimal LineTotal => Quantity * UnitPrice;
}
