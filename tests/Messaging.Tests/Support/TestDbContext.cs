using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.Tests.Support;

/// <summary>A service-like DbContext: its own business table plus the messaging entities.</summary>
public class TestDbContext(DbContextOptions<TestDbContext> options) : DbContext(options)
{
    public DbSet<LedgerEntry> Ledger => Set<LedgerEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<LedgerEntry>(e =>
        {
            e.ToTable("ledger_entry");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.EntryId).HasColumnName("entry_id");
            e.Property(x => x.Source).HasColumnName("source");
        });
        modelBuilder.AddInboxStateEntity();
        modelBuilder.AddOutboxMessageEntity();
        modelBuilder.AddOutboxStateEntity();
    }
}
