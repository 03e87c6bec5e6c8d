using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.Delivery;

/// <summary>
/// Sends scheduled messages that are due: lock due rows no other instance holds, oldest first, send them without a
/// transport delay, delete the sent ones, commit.
/// </summary>
internal sealed class ScheduledMessageDelivery<TDbContext>(IServiceScopeFactory scopes, ISendEndpointProvider bus, int messageLimit, TimeSpan sendTimeout)
    where TDbContext : DbContext
{
    private static string LockDueScheduledSql(MessagingTables tables) =>
        $"SELECT * FROM {tables.OutboxMessage} WHERE {MessagingModelBuilderExtensions.ScheduledMessageFilter} AND enqueue_time <= @now " +
        "ORDER BY enqueue_time, sequence_number LIMIT @limit FOR UPDATE SKIP LOCKED";

    /// <summary>Sends one batch of due messages: how many were sent, and whether the batch was full (more may be due).</summary>
    public async Task<DeliveryRound> DeliverAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();

        await using var transaction = await db.Database.BeginPassTransactionAsync(cancellationToken);
        var due = await db.Set<OutboxMessage>()
            .FromSqlRaw(MessagingTables.For(db).Sql(LockDueScheduledSql),
                new NpgsqlParameter("now", DateTime.UtcNow), new NpgsqlParameter("limit", messageLimit))
            .AsNoTracking()
            .ToListAsync(cancellationToken);

        var (sent, failure) = await OutboxMessageSender.SendInOrderAsync(bus, due, "scheduled", CrashPoints.ScheduledMessageSent, sendTimeout, cancellationToken);
        if (sent.Count > 0)
        {
            await db.Set<OutboxMessage>().Where(m => sent.Contains(m.SequenceNumber)).ExecuteDeleteAsync(cancellationToken);
            CrashPoint.Reach(CrashPoints.ScheduledRowsDeleted);
        }

        await transaction.CommitAsync(cancellationToken);
        if (sent.Count > 0) CrashPoint.Reach(CrashPoints.ScheduledCommitted);
        if (failure is not null) throw new OutboxDeliveryException("Sending a scheduled message failed", failure);
        return new DeliveryRound(sent.Count, More: due.Count == messageLimit);
    }
}
