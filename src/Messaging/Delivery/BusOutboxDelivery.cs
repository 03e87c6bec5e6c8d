using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.Delivery;

/// <summary>
/// Sends committed bus-outbox transactions: per database transaction, lock up to <see cref="OutboxesPerTransaction"/> of
/// the oldest <c>outbox_state</c> rows no other instance holds, send each one's messages in sequence order, delete the
/// sent ones (and each state once all its messages are sent), commit (with the last delete, in one batch:
/// <see cref="BatchCommit"/>). A send failure keeps what was sent deleted and
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

    // The pass's statements go to Npgsql directly (positional parameters, SQL built once per model): the pass runs for
    // every committed bus-outbox transaction, and EF Core's query pipeline and change tracker cost more CPU than the
    // statements themselves (docs/performance.md). The state rows are locked, so no row-version check is needed.
    private static string LockOldestOutboxesSql(MessagingTables tables) =>
        $"SELECT outbox_id FROM {tables.OutboxState} ORDER BY created LIMIT {OutboxesPerTransaction} FOR UPDATE SKIP LOCKED";

    private static string MessagesSql(MessagingTables tables) =>
        $"SELECT {string.Join(", ", tables.OutboxMessageColumns)} FROM {tables.OutboxMessage} WHERE outbox_id = $1 ORDER BY sequence_number LIMIT $2";

    private static string DeleteSentSql(MessagingTables tables) =>
        $"DELETE FROM {tables.OutboxMessage} WHERE outbox_id = $1 AND sequence_number <= $2";

    private static string DeleteStateSql(MessagingTables tables) => $"DELETE FROM {tables.OutboxState} WHERE outbox_id = $1";

    private static string KeepStateSql(MessagingTables tables) => $"UPDATE {tables.OutboxState} SET lock_id = $2 WHERE outbox_id = $1";

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
        var tables = MessagingTables.For(db);
        var npgsqlTransaction = db.Database.PassTransaction();
        var connection = npgsqlTransaction.Connection!;
        var states = new List<Guid>(OutboxesPerTransaction);
        await using (var lockStates = new NpgsqlCommand(tables.Sql(LockOldestOutboxesSql), connection, npgsqlTransaction))
        await using (var reader = await lockStates.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) states.Add(reader.GetGuid(0));
        }

        var total = 0;
        var drained = states.Count < OutboxesPerTransaction;
        Exception? failure = null;
        Guid? failedOutbox = null;
        var committed = false;
        for (var index = 0; index < states.Count; index++)
        {
            var outboxId = states[index];
            // A stop lets the outbox in progress finish (its grace period), not the rest of the transaction's: their
            // locks go with the commit, untouched.
            if (stopping.IsCancellationRequested)
            {
                drained = false;
                break;
            }

            List<OutboxMessage> messages;
            await using (var read = new NpgsqlCommand(tables.Sql(MessagesSql), connection, npgsqlTransaction))
            {
                read.Parameters.Add(new NpgsqlParameter { Value = outboxId });
                read.Parameters.Add(new NpgsqlParameter { Value = messageLimit });
                messages = await OutboxMessageRows.ReadAsync(read, cancellationToken);
            }

            (var sent, failure) = await OutboxMessageSender.SendInOrderAsync(bus, messages, "bus", CrashPoints.DeliveryMessageSent, sendTimeout, cancellationToken);
            total += sent.Count;

            // Failed, or more messages than one pass takes: keep the state for the next pass (the others stay untouched).
            var done = failure is null && messages.Count < messageLimit;
            await using var write = new NpgsqlBatch(connection, npgsqlTransaction);
            if (sent.Count > 0)
            {
                write.BatchCommands.Add(new NpgsqlBatchCommand(tables.Sql(DeleteSentSql))
                {
                    Parameters = { new NpgsqlParameter { Value = outboxId }, new NpgsqlParameter { Value = sent[^1] } },
                });
            }

            write.BatchCommands.Add(done
                ? new NpgsqlBatchCommand(tables.Sql(DeleteStateSql)) { Parameters = { new NpgsqlParameter { Value = outboxId } } }
                : new NpgsqlBatchCommand(tables.Sql(KeepStateSql))
                {
                    Parameters = { new NpgsqlParameter { Value = outboxId }, new NpgsqlParameter { Value = NewId.NextGuid() } },
                });

            // The transaction's last write carries its COMMIT (one round trip less, Storage/BatchCommit.cs).
            if (!done || index == states.Count - 1)
            {
                if (total > 0) CrashPoint.Reach(CrashPoints.DeliveryRowsDeleted);
                BatchCommit.AddTo(write);
                committed = true;
            }

            await write.ExecuteNonQueryAsync(cancellationToken);
            if (done) continue;

            if (failure is not null) failedOutbox = outboxId;
            drained = false;
            break;
        }

        if (committed)
        {
            BatchCommit.Committed(db);
        }
        else
        {
            // Nothing was locked, or a stop came between outboxes.
            if (total > 0) CrashPoint.Reach(CrashPoints.DeliveryRowsDeleted);
            await transaction.CommitAsync(cancellationToken);
        }

        if (total > 0) CrashPoint.Reach(CrashPoints.DeliveryCommitted);
        if (failure is not null) throw new OutboxDeliveryException($"Sending outbox {failedOutbox} failed", failure);
        return (states.Count, total, drained);
    }
}
