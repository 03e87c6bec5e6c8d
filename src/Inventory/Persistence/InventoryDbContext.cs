using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.Storage;
using OrderSystem.Inventory.Catalog;
using OrderSystem.Inventory.Reservations;

namespace OrderSystem.Inventory.Persistence;

/// <summary>The Inventory service's own database (inventorydb). No other service reads or writes it.</summary>
public class InventoryDbContext(DbContextOptions<InventoryDbContext> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();
    public DbSet<Reservation> Reservations => Set<Reservation>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddMessagingEntities(); // inbox, outbox and scheduled-message tables of the messaging building block
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(InventoryDbContext).Assembly);
    }
}
