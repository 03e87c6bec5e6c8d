using Npgsql;

namespace OrderSystem.Inventory.Reservations;

/// <summary>
/// The three ways an order moves a product's units, as statements for the end of the consuming pass
/// (<c>context.WriteAtCommit</c>, from the messaging building block): every order of a product updates that product's
/// one row, and a row updated there is locked only while PostgreSQL finishes the pass's last batch and commits. Each
/// touches exactly the product's row (products are never deleted). None has a condition: the check constraints on
/// <c>products</c> refuse a negative figure, and the refusal rolls the whole pass back.
/// </summary>
public static class StockRowWrites
{
    /// <summary>Reserve: units for sale → reserved. Refused (<see cref="Catalog.ProductMap.AvailableNotNegative"/>) when fewer are left.</summary>
    public static NpgsqlBatchCommand Take(string sku, int quantity) =>
        Update("available = available - $1, reserved = reserved + $1", sku, quantity);

    /// <summary>Release a cancelled order's units: reserved → units for sale.</summary>
    public static NpgsqlBatchCommand GiveBack(string sku, int quantity) =>
        Update("available = available + $1, reserved = reserved - $1", sku, quantity);

    /// <summary>Sell a confirmed order's units: reserved → sold (they leave stock).</summary>
    public static NpgsqlBatchCommand Sell(string sku, int quantity) =>
        Update("reserved = reserved - $1, sold = sold + $1", sku, quantity);

    private static NpgsqlBatchCommand Update(string set, string sku, int quantity) =>
        new($"UPDATE products SET {set} WHERE sku = $2")
        {
            Parameters = { new NpgsqlParameter { Value = quantity }, new NpgsqlParameter { Value = sku } },
        };
}
