using MassTransit;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.ConsumerOutbox;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.Sagas;

/// <summary>
/// No locks: a plain tracked read. The write carries <c>WHERE xmin = @read</c>; if another transaction changed the row
/// in between, EF finds no row to update and throws <see cref="DbUpdateConcurrencyException"/>. Two concurrent first
/// events both insert, and the second fails on the primary key (<see cref="DbUpdateException"/>, SQLSTATE 23505). Both
/// failures abort the message; the endpoint's message retry runs it again against the fresh row.
/// </summary>
internal sealed class OptimisticSagaRepositoryLockStrategy<TSaga> : SagaRepositoryLockStrategy<TSaga>
    where TSaga : class, ISaga, ISagaRowVersion
{
    public override ConcurrencyMode Mode => ConcurrencyMode.Optimistic;

    public override async Task<TSaga?> Load(DbContext db, Guid correlationId, InboxInsert? carried, CancellationToken cancellationToken)
    {
        if (carried is not null) await carried.RunIfPendingAsync(db.Database.PassTransaction(), cancellationToken);
        return await db.Set<TSaga>().AsTracking().SingleOrDefaultAsync(x => x.CorrelationId == correlationId, cancellationToken);
    }

    public override async Task<IReadOnlyList<TSaga>> Load(DbContext db, ISagaQuery<TSaga> query, CancellationToken cancellationToken) =>
        await db.Set<TSaga>().AsTracking().Where(query.FilterExpression).ToListAsync(cancellationToken);

    public override Task BeforeInsert(DbContext db, Guid correlationId, CancellationToken cancellationToken) => Task.CompletedTask;
}
