using Microsoft.EntityFrameworkCore;

namespace OrderSystem.Payment.Persistence;

/// <summary>The Payment service's own database (paymentdb). No other service reads or writes it.</summary>
public class PaymentDbContext(DbContextOptions<PaymentDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PaymentDbContext).Assembly);
    }
}
