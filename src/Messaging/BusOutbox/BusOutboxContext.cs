using MassTransit;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.BusOutbox;

/// <summary>
/// The bus outbox of one DI scope (an HTTP request, a background job): sends and publishes made outside a consumer
/// become rows in the scope's <typeparamref name="TDbContext"/>, under one <see cref="OutboxState"/> per transaction.
/// Nothing is written to the database until the caller's <c>SaveChanges</c>; a rollback keeps nothing.
/// </summary>
public sealed class BusOutboxContext<TDbContext>(TDbContext db, IServiceProvider services) : OutboxSendContext
    where TDbContext : DbContext
{
    private Guid? _outboxId;
    private Guid? _transactionId;

    public TDbContext DbContext => db;

    public Task AddSend<T>(SendContext<T> context)
        where T : class
    {
        var row = OutboxMessageFactory.Create(context);
        if (row.EnqueueTime is null) row.OutboxId = CurrentOutboxId();
        db.Set<OutboxMessage>().Add(row);
        return Task.CompletedTask;
    }

    public object? GetService(Type serviceType) => services.GetService(serviceType);

    /// <summary>
    /// All messages of one transaction share an outbox id, and are delivered in the order they were sent. Without an
    /// explicit transaction, each <c>SaveChanges</c> is one.
    /// </summary>
    private Guid CurrentOutboxId()
    {
        var transaction = db.Database.CurrentTransaction?.TransactionId;
        if (_outboxId is { } id)
        {
            var stillPending = TrackedEntries.Of<OutboxState>(db).Any(e => e.Entity.OutboxId == id && e.State == EntityState.Added);
            if (stillPending || (transaction is not null && transaction == _transactionId)) return id;
        }

        var state = new OutboxState { OutboxId = NewId.NextGuid(), Created = DateTime.UtcNow, LockId = Guid.Empty };
        db.Set<OutboxState>().Add(state);
        _outboxId = state.OutboxId;
        _transactionId = transaction;
        return state.OutboxId;
    }
}
