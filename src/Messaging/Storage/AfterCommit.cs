using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OrderSystem.Messaging.Storage;

/// <summary>
/// Work that must happen only if the DbContext's current transaction commits (waking the delivery service, recording a
/// metric): a pass that rolls back and is retried must not leave its effects behind twice. Without a transaction the
/// work runs at once. <see cref="Interceptor"/> runs the work after the commit and drops it on a rollback or a failed
/// commit; <c>AddEntityFrameworkOutbox&lt;TDbContext&gt;</c> adds it to the DbContext.
/// </summary>
public static class AfterCommit
{
    private static readonly ConditionalWeakTable<DbContext, List<Action>> Pending = new();

    public static readonly IInterceptor Interceptor = new CommitInterceptor();

    public static void Run(DbContext db, Action action)
    {
        if (db.Database.CurrentTransaction is null)
        {
            action();
            return;
        }

        var actions = Pending.GetOrCreateValue(db);
        lock (actions) actions.Add(action);
    }

    private static void Complete(DbContext? db, bool committed)
    {
        if (db is null || !Pending.TryGetValue(db, out var actions)) return;
        Action[] due;
        lock (actions)
        {
            due = [.. actions];
            actions.Clear();
        }

        if (!committed) return;
        foreach (var action in due) action();
    }

    private sealed class CommitInterceptor : DbTransactionInterceptor
    {
        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
            Complete(eventData.Context, committed: true);

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Complete(eventData.Context, committed: true);
            return Task.CompletedTask;
        }

        public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
            Complete(eventData.Context, committed: false);

        public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Complete(eventData.Context, committed: false);
            return Task.CompletedTask;
        }

        public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) =>
            Complete(eventData.Context, committed: false);

        public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            Complete(eventData.Context, committed: false);
            return Task.CompletedTask;
        }
    }
}
