namespace OrderSystem.Inventory.Catalog;

/// <summary>The catalog a fresh inventorydb starts with (inserted by the initial migration).</summary>
public static class SeedCatalog
{
    public static readonly Product[] Products =
    [
        new() { Sku = "KEYBOARD-01", Name = "Mechanical keyboard", Price = 89.90m, Available = 100 },
        new() { Sku = "MOUSE-01", Name = "Wireless mouse", Price = 29.90m, Available = 200 },
        new() { Sku = "MONITOR-27", Name = "27-inch monitor", Price = 249.00m, Available = 25 },
        new() { Sku = "HEADSET-01", Name = "Headset", Price = 59.00m, Available = 50 },
        new() { Sku = "CABLE-USBC", Name = "USB-C cable", Price = 9.90m, Available = 500 },
        new() { Sku = "LAPTOP-PRO", Name = "Laptop Pro", Price = 1999.00m, Available = 5 },
    ];
}
