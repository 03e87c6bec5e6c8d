using MassTransit;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.ConsumerOutbox;

namespace OrderSystem.Messaging.Sagas;

/// <summary>
/// How the repository loads instances for a message and protects their creation: the difference between the two
/// concurrency modes. Always called inside a transaction (the repository's own, or the consumer outbox's).
/// Loaded instances are tracked by the DbContext, so <c>SaveChanges</c> writes what the state machine changed.
/// </summary>
internal abstract class SagaRepositoryLockStrategy<TSaga>
    where TSaga : class, ISaga, ISagaRowVersion
{
    public abstract ConcurrencyMode Mode { get; }

    /// <summary>
    /// The instance with this id, or null when there is none. <paramref name="carried"/>, when given, is the message's
    /// inbox insert, still to run: it runs first, in the load's round trip where the strategy can batch them.
    /// </summary>
    public abstract Task<TSaga?> Load(DbContext db, Guid correlationId, InboxInsert? carried, CancellationToken cancellationToken);

    /// <summary>The instances that match a correlation expression.</summary>
    public abstract Task<IReadOnlyList<TSaga>> Load(DbContext db, ISagaQuery<TSaga> query, CancellationToken cancellationToken);

    /// <summary>Runs before a new instance is inserted ahead of the state machine (events with <c>InsertOnInitial</c>).</summary>
    public abstract Task BeforeInsert(DbContext db, Guid correlationId, CancellationToken cancellationToken);
}
