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
/// <para>
/// Safe with DbContext pooling: the pending work belongs to one transaction (its <c>TransactionId</c>), not to the
/// context. Work left by a transaction that ended without a commit or rollback event (disposed after an exception) is
/// dropped when the context's next transaction adds work or ends, so it never runs on another message's commit.
/// </para>
/// </summary>
public static class AfterCommit
{
    private static readonly ConditionalWeakTable<DbContext, PendingWork> Pending = new();

    public static readonly IInterceptor Interceptor = new CommitInterceptor();

    public static void Run(DbContext db, Action action)
    {
        if (db.Database.CurrentTransaction is not { } transaction)
        {
            action();
            return;
        }

        var pending = Pending.GetOrCreateValue(db);
        lock (pending)
        {
            if (pending.TransactionId != transaction.TransactionId)
            {
                pending.Actions.Clear(); // left by an earlier transaction of this (pooled) context that never ended cleanly
                pending.TransactionId = transaction.TransactionId;
            }

            pending.Actions.Add(action);
        }
    }

    /// <summary>
    /// The context's current transaction was committed by a <c>COMMIT</c> the context did not send (the last command of a
    /// consumer-outbox pass's batch): runs its work now.
    /// </summary>
    internal static void CommittedInBatch(DbContext db)
    {
        if (db.Database.CurrentTransaction is { } transaction) Complete(db, transaction.TransactionId, committed: true);
    }

    private static void Complete(DbContext? db, Guid transactionId, bool committed)
    {
        if (db is null || !Pending.TryGetValue(db, out var pending)) return;
        Action[] due;
        lock (pending)
        {
            due = pending.TransactionId == transactionId ? [.. pending.Actions] : [];
            pending.Actions.Clear();
        }

        if (!committed) return;
        foreach (var action in due) action();
    }

    private sealed class PendingWork
    {
        public Guid TransactionId { get; set; }
        public List<Action> Actions { get; } = [];
    }

    private sealed class CommitInterceptor : DbTransactionInterceptor
    {
        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
            Complete(eventData.Context, eventData.TransactionId, committed: true);

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Complete(eventData.Context, eventData.TransactionId, committed: true);
            return Task.CompletedTask;
        }

        public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
            Complete(eventData.Context, eventData.TransactionId, committed: false);

        public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Complete(eventData.Context, eventData.TransactionId, committed: false);
            return Task.CompletedTask;
        }

        public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) =>
            Complete(eventData.Context, eventData.TransactionId, committed: false);

        public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            Complete(eventData.Context, eventData.TransactionId, committed: false);
            return Task.CompletedTask;
        }
    }
}
