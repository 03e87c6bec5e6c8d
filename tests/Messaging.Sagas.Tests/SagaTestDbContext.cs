using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.Sagas.Tests.Counter;

namespace OrderSystem.Messaging.Sagas.Tests;

public class SagaTestDbContext : DbContext
{
    public SagaTestDbContext(DbContextOptions<SagaTestDbContext> options)
        : this((DbContextOptions)options)
    {
    }

    protected SagaTestDbContext(DbContextOptions options)
        : base(options)
    {
        // EF Core would otherwise wrap each SaveChanges inside a user transaction in a savepoint of its own, which hides
        // whether the repository confines a failed insert by itself. The repository must not depend on this setting.
        Database.AutoSavepointsEnabled = false;
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfiguration(new CounterStateMap());
}
