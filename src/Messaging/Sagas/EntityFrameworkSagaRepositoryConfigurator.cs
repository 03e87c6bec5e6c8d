using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrderSystem.Messaging.Sagas;

/// <summary>Collects the options of one saga's repository and registers the repository's services.</summary>
internal sealed class EntityFrameworkSagaRepositoryConfigurator<TSaga> : IEntityFrameworkSagaRepositoryConfigurator<TSaga>
    where TSaga : class, ISaga, ISagaRowVersion
{
    private Action<ISagaRepositoryRegistrationConfigurator<TSaga>>? _registerFactories;

    public ConcurrencyMode ConcurrencyMode { get; set; } = ConcurrencyMode.Pessimistic;

    public void ExistingDbContext<TContext>()
        where TContext : DbContext
    {
        _registerFactories = services =>
        {
            services.RegisterSagaRepository<TSaga, DbContext, SagaConsumeContextFactory<DbContext, TSaga>,
                EntityFrameworkSagaRepositoryContextFactory<TContext, TSaga>>();
            services.RegisterQuerySagaRepository<TSaga, EntityFrameworkSagaRepositoryContextFactory<TContext, TSaga>>();
            services.RegisterLoadSagaRepository<TSaga, EntityFrameworkSagaRepositoryContextFactory<TContext, TSaga>>();
        };
    }

    public void Register(ISagaRepositoryRegistrationConfigurator<TSaga> services)
    {
        if (_registerFactories is null)
        {
            throw new InvalidOperationException(
                $"The EF Core saga repository of {typeof(TSaga).Name} has no DbContext: call r.ExistingDbContext<TContext>() " +
                "inside EntityFrameworkRepository(r => …).");
        }

        if (!Enum.IsDefined(ConcurrencyMode))
        {
            throw new InvalidOperationException($"Unknown concurrency mode {ConcurrencyMode} for the saga repository of {typeof(TSaga).Name}.");
        }

        SagaRepositoryLockStrategy<TSaga> strategy = ConcurrencyMode == ConcurrencyMode.Optimistic
            ? new OptimisticSagaRepositoryLockStrategy<TSaga>()
            : new PessimisticSagaRepositoryLockStrategy<TSaga>();
        services.RemoveAll<SagaRepositoryLockStrategy<TSaga>>();
        services.AddSingleton(strategy);
        _registerFactories(services);
    }
}
