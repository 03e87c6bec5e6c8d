using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OrderSystem.Messaging.Delivery;
using OrderSystem.Messaging.Persistence;

namespace OrderSystem.Messaging.BusOutbox;

/// <summary>
/// Signals the delivery service once rows it must deliver (bus outbox, scheduled) are committed: at the end of
/// <c>SaveChanges</c> when no explicit transaction is open, otherwise when that transaction commits. A rollback signals
/// nothing (and the rows are gone with it).
/// </summary>
internal sealed class OutboxCommitInterceptor<TDbContext>(OutboxDeliverySignal<TDbContext> signal) : ISaveChangesInterceptor, IDbTransactionInterceptor
    where TDbContext : DbContext
{
    private static readonly ConditionalWeakTable<DbContext, object> PendingInTransaction = new();
    private static readonly object Marker = new();

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Remember(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Remember(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        AfterSave(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        AfterSave(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private static void Remember(DbContext? context)
    {
        if (context is not TDbContext) return;
        var delivers = context.ChangeTracker.Entries<OutboxMessage>()
            .Any(e => e.State == EntityState.Added && e.Entity.InboxMessageId is null);
        if (delivers) PendingInTransaction.AddOrUpdate(context, Marker);
    }

    private void AfterSave(DbContext? context)
    {
        if (context is not TDbContext || context.Database.CurrentTransaction is not null) return;
        if (PendingInTransaction.Remove(context)) signal.Notify();
    }

    private void Committed(DbContext? context)
    {
        if (context is TDbContext && PendingInTransaction.Remove(context)) signal.Notify();
    }

    private static void Forget(DbContext? context)
    {
        if (context is not null) PendingInTransaction.Remove(context);
    }
}
