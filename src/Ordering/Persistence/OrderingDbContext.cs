using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.Storage;
using OrderSystem.Ordering.Orders;
using OrderSystem.Ordering.Saga;

namespace OrderSystem.Ordering.Persistence;

/// <summary>The Ordering service's own database (orderdb). No other service reads or writes it.</summary>
public class OrderingDbContext(DbContextOptions<OrderingDbContext> options) : DbContext(options)
{
    /// <summary>What customers submitted (written by the API).</summary>
    public DbSet<Order> Orders => Set<Order>();

    /// <summary>The order saga's instances (written only by the saga).</summary>
    public DbSet<OrderState> OrderStates => Set<OrderState>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddMessagingEntities(); // inbox, outbox and scheduled-message tables of the messaging building block
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(OrderingDbContext).Assembly);
    }
}
