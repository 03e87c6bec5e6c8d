using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.Delivery;

/// <summary>
/// Sends committed bus-outbox transactions: per database transaction, lock up to <see cref="OutboxesPerTransaction"/> of
/// the oldest <c>outbox_state</c> rows no other instance holds, send each one's messages in sequence order, delete the
/// sent ones (and each state once all its messages are sent), commit. A send failure keeps what was sent deleted and
/// the rest for later. A transaction that finds fewer states than it may take has drained the outbox: whatever is
/// committed after it began has signalled the delivery service again, so no closing empty pass is needed.
/// </summary>
internal sealed class BusOutboxDelivery<TDbContext>(IServiceScopeFactory scopes, ISendEndpointProvider bus, int messageLimit, TimeSpan sendTimeout)
    where TDbContext : DbContext
{
    /// <summary>Outbox transactions per round, so that due scheduled messages are not starved by a long backlog.</summary>
    public const int OutboxesPerRound = 100;

    /// <summary>Outbox transactions one database transaction delivers at most (it holds their locks until it commits).</summary>
    public const int OutboxesPerTransaction = 10;

    private static string LockOldestOutboxesSql(MessagingTables tables) =>
        $"SELECT *, xmin FROM {tables.OutboxState} ORDER BY created LIMIT {OutboxesPerTransaction} FOR UPDATE SKIP LOCKED";

    /// <summary>
    /// Delivers up to <see cref="OutboxesPerRound"/> outbox transactions: the messages sent, and whether the round ended
    /// full (more may be waiting) rather than on a drained outbox. Takes no new outbox transaction once
    /// <paramref name="stopping"/> is cancelled; <paramref name="cancellationToken"/> aborts the one in progress.
    /// </summary>
    public async Task<DeliveryRound> DeliverAsync(CancellationToken stopping, CancellationToken cancellationToken)
    {
        var sent = 0;
        for (var outboxes = 0; outboxes < OutboxesPerRound && !stopping.IsCancellationRequested;)
        {
            var batch = await DeliverOldestAsync(stopping, cancellationToken);
            sent += batch.Sent;
            outboxes += batch.Outboxes;
            if (batch.Drained) return new DeliveryRound(sent, More: false);
        }

        return new DeliveryRound(sent, More: true);
    }

    /// <summary>
    /// Sends the oldest undelivered outboxes in one database transaction: how many it locked, the messages sent, and
    /// whether it left the outbox drained (it found fewer than it may take, and sent all of each).
    /// </summary>
    private async Task<(int Outboxes, int Sent, bool Drained)> DeliverOldestAsync(CancellationToken stopping, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();

        await using var transaction = await db.Database.BeginPassTransactionAsync(cancellationToken);
        var states = await db.Set<OutboxState>()
            .FromSqlRaw(MessagingTables.For(db).Sql(LockOldestOutboxesSql))
            .AsTracking()
            .ToListAsync(cancellationToken);

        var total = 0;
        var drained = states.Count < OutboxesPerTransaction;
        Exception? failure = null;
        Guid? failedOutbox = null;
        foreach (var state in states)
        {
            // A stop lets the outbox in progress finish (its grace period), not the rest of the transaction's: their
            // locks go with the commit, untouched.
            if (stopping.IsCancellationRequested)
            {
                drained = false;
                break;
            }

            var messages = await db.Set<OutboxMessage>().AsNoTracking()
                .Where(m => m.OutboxId == state.OutboxId)
                .OrderBy(m => m.SequenceNumber)
                .Take(messageLimit)
                .ToListAsync(cancellationToken);

            (var sent, failure) = await OutboxMessageSender.SendInOrderAsync(bus, messages, "bus", CrashPoints.DeliveryMessageSent, sendTimeout, cancellationToken);
            total += sent.Count;
            if (sent.Count > 0)
            {
                var last = sent[^1];
                await db.Set<OutboxMessage>()
                    .Where(m => m.OutboxId == state.OutboxId && m.SequenceNumber <= last)
                    .ExecuteDeleteAsync(cancellationToken);
            }

            if (failure is null && messages.Count < messageLimit)
            {
                db.Remove(state);
                continue;
            }

            // Failed, or more messages than one pass takes: keep the state for the next pass (the others stay untouched).
            state.LockId = NewId.NextGuid();
            if (failure is not null) failedOutbox = state.OutboxId;
            drained = false;
            break;
        }

        await db.SaveChangesAsync(cancellationToken);
        if (total > 0) CrashPoint.Reach(CrashPoints.DeliveryRowsDeleted);
        await transaction.CommitAsync(cancellationToken);
        if (total > 0) CrashPoint.Reach(CrashPoints.DeliveryCommitted);
        if (failure is not null) throw new OutboxDeliveryException($"Sending outbox {failedOutbox} failed", failure);
        return (states.Count, total, drained);
    }
}
