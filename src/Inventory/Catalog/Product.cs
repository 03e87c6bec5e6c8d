namespace OrderSystem.Inventory.Catalog;

/// <summary>
/// A product Inventory sells (table <c>products</c>): its price and its stock. <see cref="Available"/> +
/// <see cref="Reserved"/> is the stock on hand; a reservation moves units from one to the other, a release moves them back,
/// and a confirmed order's units leave stock: from reserved to <see cref="Sold"/> (<see cref="Reservations.SellReservedStockConsumer"/>).
/// They only change through row-locking UPDATEs (<see cref="Reservations.StockRowWrites"/>, the stock API), never below
/// zero: the table's check constraints refuse it.
/// </summary>
public class Product
{
    public string Sku { get; set; } = null!;
    public string Name { get; set; } = null!;
    public decimal Price { get; set; }
    public int Available { get; set; }
    public int Reserved { get; set; }

    /// <summary>Units of confirmed orders: they left stock (a running total, not part of the units on hand).</summary>
    public int Sold { get; set; }
}
