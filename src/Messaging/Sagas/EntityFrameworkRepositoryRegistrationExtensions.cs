using MassTransit;

namespace OrderSystem.Messaging.Sagas;

public static class EntityFrameworkRepositoryRegistrationExtensions
{
    /// <summary>
    /// Stores the saga's instances in PostgreSQL through EF Core:
    /// <c>.EntityFrameworkRepository(r =&gt; { r.ConcurrencyMode = ConcurrencyMode.Pessimistic; r.ExistingDbContext&lt;OrderingDbContext&gt;(); })</c>.
    /// Inside the consumer outbox it writes in the outbox's transaction; elsewhere each message gets its own. See docs/sagas.md.
    /// </summary>
    public static ISagaRegistrationConfigurator<TSaga> EntityFrameworkRepository<TSaga>(
        this ISagaRegistrationConfigurator<TSaga> configurator,
        Action<IEntityFrameworkSagaRepositoryConfigurator<TSaga>> configure)
        where TSaga : class, ISaga, ISagaRowVersion
    {
        ArgumentNullException.ThrowIfNull(configure);

        var repository = new EntityFrameworkSagaRepositoryConfigurator<TSaga>();
        configure(repository);
        configurator.Repository(services => repository.Register(services));
        return configurator;
    }
}
