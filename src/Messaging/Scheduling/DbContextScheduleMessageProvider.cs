using MassTransit;
using MassTransit.Scheduling;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.Scheduling;

/// <summary>
/// MassTransit's scheduling contract on top of the outbox: a scheduled send is an ordinary outbox send carrying a
/// scheduling token and a delay, written through <paramref name="outboxEndpoints"/> (whose sends become rows in
/// <paramref name="db"/>), so it commits or rolls back with the code that scheduled it. Cancelling deletes the pending
/// row by its token in the same DbContext (inside the caller's transaction when one is open); inside a consuming pass
/// (<paramref name="commitBatch"/>) the delete goes with the pass's commit batch instead of a round trip of its own.
/// </summary>
internal sealed class DbContextScheduleMessageProvider(ISendEndpointProvider outboxEndpoints, DbContext db, PassCommitBatch? commitBatch = null)
    : IScheduleMessageProvider
{
    /// <summary>Deletes the pending scheduled row of a token (the condition of the partial index on the token).</summary>
    private static string DeleteScheduledSql(MessagingTables tables) =>
        $"DELETE FROM {tables.OutboxMessage} WHERE " +
        $"{tables.OutboxMessageColumns[Array.IndexOf(OutboxMessageRows.Properties, nameof(OutboxMessage.ScheduleTokenId))]} = $1 " +
        $"AND {MessagingModelBuilderExtensions.ScheduledMessageFilter}";

    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken)
        where T : class
    {
        var tokenId = NewId.NextGuid();
        var due = scheduledTime.Kind == DateTimeKind.Local ? scheduledTime.ToUniversalTime() : DateTime.SpecifyKind(scheduledTime, DateTimeKind.Utc);

        var endpoint = await outboxEndpoints.GetSendEndpoint(destinationAddress);
        await endpoint.Send(message, Pipe.ExecuteAsync<SendContext<T>>(async context =>
        {
            context.ScheduledMessageId = tokenId;
            context.Headers.Set(MessageHeaders.SchedulingTokenId, tokenId.ToString("N"));
            if (pipe.IsNotEmpty()) await pipe.Send(context);
            var delay = due - DateTime.UtcNow;
            context.Delay = delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        }), cancellationToken);
        CrashPoint.Reach(CrashPoints.Scheduled);

        return new ScheduledMessageHandle<T>(tokenId, due, destinationAddress, message);
    }

    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) => Cancel(tokenId, cancellationToken);

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) => Cancel(tokenId, cancellationToken);

    private async Task Cancel(Guid tokenId, CancellationToken cancellationToken)
    {
        // Scheduled earlier in this same unit of work and not saved yet: forget it.
        commitBatch?.ForgetScheduled(tokenId);
        foreach (var entry in TrackedEntries.Of<OutboxMessage>(db).Where(e => e.State == EntityState.Added && e.Entity.ScheduleTokenId == tokenId))
            entry.State = EntityState.Detached;

        if (commitBatch is not null)
        {
            // The row may be gone already (delivered, or never committed): no row count to expect.
            var delete = new NpgsqlBatchCommand(MessagingTables.For(db).Sql(DeleteScheduledSql))
            {
                Parameters = { new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = tokenId } },
            };
            commitBatch.Add(delete, expectedRows: null, "unschedule");
        }
        else
        {
            await db.Set<OutboxMessage>()
                .Where(m => m.ScheduleTokenId == tokenId && m.InboxMessageId == null && m.OutboxId == null)
                .ExecuteDeleteAsync(cancellationToken);
        }

        CrashPoint.Reach(CrashPoints.Unscheduled);
    }
}
