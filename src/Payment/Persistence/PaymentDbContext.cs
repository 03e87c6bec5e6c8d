using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.Storage;
using OrderSystem.Payment.Payments;

namespace OrderSystem.Payment.Persistence;

/// <summary>The Payment service's own database (paymentdb). No other service reads or writes it.</summary>
public class PaymentDbContext(DbContextOptions<PaymentDbContext> options) : DbContext(options)
{
    public DbSet<PaymentRecord> Payments => Set<PaymentRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddMessagingEntities(); // inbox, outbox and scheduled-message tables of the messaging building block
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PaymentDbContext).Assembly);
    }
}
