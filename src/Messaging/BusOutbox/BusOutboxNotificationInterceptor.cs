using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Delivery;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.BusOutbox;

/// <summary>
/// Wakes the delivery service once rows it must deliver (bus outbox, scheduled) are committed: a <c>SaveChanges</c> that
/// wrote such rows hands <see cref="BusOutboxNotification{TDbContext}.Notify"/> to <see cref="AfterCommit"/> (at once
/// without an explicit transaction, otherwise when it commits; never on a rollback).
/// </summary>
internal sealed class BusOutboxNotificationInterceptor<TDbContext>(BusOutboxNotification<TDbContext> notification) : SaveChangesInterceptor
    where TDbContext : DbContext
{
    private static readonly ConditionalWeakTable<DbContext, object> Saving = new();
    private static readonly object Marker = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Remember(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Remember(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private static void Remember(DbContext? context)
    {
        if (context is not TDbContext) return;
        var delivers = context.ChangeTracker.Entries<OutboxMessage>()
            .Any(e => e.State == EntityState.Added && e.Entity.InboxMessageId is null);
        if (delivers) Saving.AddOrUpdate(context, Marker);
    }

    private void Saved(DbContext? context)
    {
        if (context is TDbContext && Saving.Remove(context)) AfterCommit.Run(context, Committed);
    }

    private void Committed()
    {
        CrashPoint.Reach(CrashPoints.BusOutboxCommitted);
        notification.Notify();
    }

    public override void SaveChangesCanceled(DbContextEventData eventData) => Forget(eventData.Context);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private static void Forget(DbContext? context)
    {
        if (context is not null) Saving.Remove(context);
    }
}
