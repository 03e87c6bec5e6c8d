using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Delivery;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.BusOutbox;

/// <summary>
/// Wakes the delivery service once rows it must deliver (bus outbox, scheduled) are committed: a <c>SaveChanges</c> that
/// wrote such rows hands the notification (<see cref="BusOutboxNotification{TDbContext}.Notify"/> for bus-outbox rows,
/// <see cref="BusOutboxNotification{TDbContext}.NotifyScheduled"/> with the earliest due time for scheduled ones) to
/// <see cref="AfterCommit"/> (at once without an explicit transaction, otherwise when it commits; never on a rollback).
/// </summary>
internal sealed class BusOutboxNotificationInterceptor<TDbContext>(BusOutboxNotification<TDbContext> notification) : SaveChangesInterceptor
    where TDbContext : DbContext
{
    private static readonly ConditionalWeakTable<DbContext, Pending> Saving = new();

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
        var outbox = false;
        DateTime? earliestDue = null;
        foreach (var entry in TrackedEntries.Of<OutboxMessage>(context))
        {
            if (entry.State != EntityState.Added || entry.Entity.InboxMessageId is not null) continue;
            if (entry.Entity is { IsScheduled: true, EnqueueTime: { } due })
            {
                if (earliestDue is null || due < earliestDue) earliestDue = due;
            }
            else
            {
                outbox = true;
            }
        }

        if (outbox || earliestDue is not null) Saving.AddOrUpdate(context, new Pending(outbox, earliestDue));
    }

    private void Saved(DbContext? context)
    {
        if (context is TDbContext && Saving.TryGetValue(context, out var pending) && Saving.Remove(context))
            AfterCommit.Run(context, () => Committed(pending));
    }

    private void Committed(Pending pending)
    {
        CrashPoint.Reach(CrashPoints.BusOutboxCommitted);
        if (pending.EarliestDue is { } due) notification.NotifyScheduled(DateTime.SpecifyKind(due, DateTimeKind.Utc));
        if (pending.Outbox) notification.Notify();
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

    /// <summary>What a <c>SaveChanges</c> wrote for the delivery service: bus-outbox rows, and the earliest scheduled row's due time.</summary>
    private sealed record Pending(bool Outbox, DateTime? EarliestDue);
}
