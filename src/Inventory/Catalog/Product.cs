namespace OrderSystem.Inventory.Catalog;

/// <summary>
/// A product Inventory sells (table <c>products</c>): its price and its stock. <see cref="Available"/> +
/// <see cref="Reserved"/> is the stock on hand; a reservation moves units from one to the other, a release moves them back.
/// Both only change through conditional UPDATEs (see <see cref="Reservations.ReserveStockConsumer"/>), never below zero.
/// </summary>
public class Product
{
    public string Sku { get; set; } = null!;
    public string Name { get; set; } = null!;
    public decimal Price { get; set; }
    public int Available { get; set; }
    public int Reserved { get; set; }
}
