using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.CrashClient;

/// <summary>Same tables as the tests' DbContext (the ledger and the messaging entities), plus the countdown and lease sagas'.</summary>
public class CrashDbContext(DbContextOptions<CrashDbContext> options) : DbContext(options)
{
    public DbSet<CrashLedgerEntry> Ledger => Set<CrashLedgerEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CrashLedgerEntry>(e =>
        {
            e.ToTable("ledger_entry");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.EntryId).HasColumnName("entry_id");
            e.Property(x => x.Source).HasColumnName("source");
        });
        modelBuilder.ApplyConfiguration(new CountdownStateMap());
        modelBuilder.ApplyConfiguration(new LeaseStateMap());
        modelBuilder.AddMessagingEntities();
    }
}

public class CrashLedgerEntry
{
    public long Id { get; set; }
    public Guid EntryId { get; set; }
    public string Source { get; set; } = "";
}
