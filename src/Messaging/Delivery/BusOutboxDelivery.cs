using System.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.Delivery;

/// <summary>
/// Sends committed bus-outbox transactions: per database transaction, lock the oldest <c>outbox_state</c> no other
/// instance holds, send its messages in sequence order, delete the sent ones (and the state once all are sent), commit.
/// A send failure keeps what was sent deleted and the rest for later.
/// </summary>
internal sealed class BusOutboxDelivery<TDbContext>(IServiceScopeFactory scopes, ISendEndpointProvider bus, int messageLimit, TimeSpan sendTimeout)
    where TDbContext : DbContext
{
    /// <summary>Outbox transactions per round, so that due scheduled messages are not starved by a long backlog.</summary>
    public const int OutboxesPerRound = 100;

    private static string LockOldestOutboxSql(MessagingTables tables) =>
        $"SELECT *, xmin FROM {tables.OutboxState} ORDER BY created LIMIT 1 FOR UPDATE SKIP LOCKED";

    /// <summary>
    /// Delivers up to <see cref="OutboxesPerRound"/> outbox transactions: the messages sent, and whether the round ended
    /// full (more may be waiting) rather than on an empty outbox. Takes no new outbox transaction once
    /// <paramref name="stopping"/> is cancelled; <paramref name="cancellationToken"/> aborts the one in progress.
    /// </summary>
    public async Task<DeliveryRound> DeliverAsync(CancellationToken stopping, CancellationToken cancellationToken)
    {
        var total = 0;
        for (var round = 0; round < OutboxesPerRound && !stopping.IsCancellationRequested; round++)
        {
            var sent = await DeliverOldestAsync(cancellationToken);
            if (sent is null) return new DeliveryRound(total, More: false);
            total += sent.Value;
        }

        return new DeliveryRound(total, More: true);
    }

    /// <summary>Sends the oldest undelivered outbox; null when there is none.</summary>
    private async Task<int?> DeliverOldestAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();

        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var state = (await db.Set<OutboxState>()
            .FromSqlRaw(LockOldestOutboxSql(MessagingTables.For(db)))
            .AsTracking()
            .ToListAsync(cancellationToken)).SingleOrDefault();
        if (state is null)
        {
            await transaction.CommitAsync(cancellationToken);
            return null;
        }

        var messages = await db.Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.OutboxId == state.OutboxId)
            .OrderBy(m => m.SequenceNumber)
            .Take(messageLimit)
            .ToListAsync(cancellationToken);

        var (sent, failure) = await OutboxMessageSender.SendInOrderAsync(bus, messages, "bus", CrashPoints.DeliveryMessageSent, sendTimeout, cancellationToken);
        if (sent.Count > 0)
        {
            var last = sent[^1];
            await db.Set<OutboxMessage>()
                .Where(m => m.OutboxId == state.OutboxId && m.SequenceNumber <= last)
                .ExecuteDeleteAsync(cancellationToken);
        }

        if (failure is null && messages.Count < messageLimit)
            db.Remove(state);
        else
            state.LockId = NewId.NextGuid();

        await db.SaveChangesAsync(cancellationToken);
        if (sent.Count > 0) CrashPoint.Reach(CrashPoints.DeliveryRowsDeleted);
        await transaction.CommitAsync(cancellationToken);
        if (sent.Count > 0) CrashPoint.Reach(CrashPoints.DeliveryCommitted);
        if (failure is not null) throw new OutboxDeliveryException($"Sending outbox {state.OutboxId} failed", failure);
        return sent.Count;
    }
}
