using MassTransit;

namespace OrderSystem.Messaging.Sagas;

public static class EntityFrameworkRepositoryRegistrationExtensions
{
    /// <summary>
    /// Stores the saga's instances in PostgreSQL through EF Core:
    /// <code>
    /// bus.AddSagaStateMachine&lt;OrderStateMachine, OrderState, OrderStateDefinition&gt;()
    ///    .EntityFrameworkRepository(r =&gt;
    ///    {
    ///        r.ConcurrencyMode = ConcurrencyMode.Pessimistic; // the default
    ///        r.ExistingDbContext&lt;OrderingDbContext&gt;();
    ///    });
    /// </code>
    /// The DbContext is resolved from the message's scope. When a transaction is already open on it (the consumer
    /// outbox opens one before the saga runs) the repository writes inside it and leaves commit or rollback to its owner;
    /// otherwise it runs each message in its own READ COMMITTED transaction. See docs/sagas.md.
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
