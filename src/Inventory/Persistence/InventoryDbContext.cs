using Microsoft.EntityFrameworkCore;

namespace OrderSystem.Inventory.Persistence;

/// <summary>The Inventory service's own database (inventorydb). No other service reads or writes it.</summary>
public class InventoryDbContext(DbContextOptions<InventoryDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(InventoryDbContext).Assembly);
    }
}
