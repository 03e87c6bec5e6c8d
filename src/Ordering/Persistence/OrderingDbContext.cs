using Microsoft.EntityFrameworkCore;

namespace OrderSystem.Ordering.Persistence;

/// <summary>The Ordering service's own database (orderdb). No other service reads or writes it.</summary>
public class OrderingDbContext(DbContextOptions<OrderingDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(OrderingDbContext).Assembly);
    }
}
