using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.Sagas;

/// <summary>
/// Entry point MassTransit calls for every message that reaches the saga, with the message scope's
/// <typeparamref name="TContext"/>. Inside the consumer outbox it writes in the outbox's transaction and never commits;
/// on an endpoint without the outbox it runs the message in a READ COMMITTED transaction of its own.
/// </summary>
internal sealed class EntityFrameworkSagaRepositoryContextFactory<TContext, TSaga>(
    TContext db,
    ISagaConsumeContextFactory<DbContext, TSaga> consumeContextFactory,
    SagaRepositoryLockStrategy<TSaga> strategy) :
    ISagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>
    where TContext : DbContext
    where TSaga : class, ISaga, ISagaRowVersion
{
    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class =>
        InTransaction(async () =>
        {
            using var repository = new DbContextSagaRepositoryContext<TSaga, T>(db, context, consumeContextFactory, strategy);
            await next.Send(repository);
        }, context.CancellationToken);

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class =>
        InTransaction(async () =>
        {
            using var repository = new DbContextSagaRepositoryContext<TSaga, T>(db, context, consumeContextFactory, strategy);
            await repository.RunWaitingInboxInsertAsync();
            var instances = await strategy.Load(db, query, context.CancellationToken);
            await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repository, instances));
        }, context.CancellationToken);

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new DbContextSagaQueryContext<TSaga>(db, cancellationToken));

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new DbContextSagaQueryContext<TSaga>(db, cancellationToken));

    public void Probe(ProbeContext context)
    {
        context.Add("persistence", "entity-framework-core-postgresql");
        context.Add("dbContext", typeof(TContext).Name);
        context.Add("concurrencyMode", strategy.Mode.ToString());
    }

    private async Task InTransaction(Func<Task> work, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            ForgetTrackedInstances();
            await work();
            return;
        }

        var executionStrategy = db.Database.CreateExecutionStrategy();
        await executionStrategy.ExecuteAsync(async ct =>
        {
            ForgetTrackedInstances();
            await using var transaction = await db.Database.BeginPassTransactionAsync(ct);
            await work();
            await transaction.CommitAsync(ct);
        }, cancellationToken);
    }

    /// <summary>
    /// An instance still tracked from an earlier attempt in the same scope (a retry that reuses the scope) would be
    /// returned as is by the next load, stale row version included. Each attempt starts from the database.
    /// </summary>
    private void ForgetTrackedInstances()
    {
        foreach (var entry in TrackedEntries.Of<TSaga>(db))
        {
            entry.State = EntityState.Detached;
        }
    }
}
