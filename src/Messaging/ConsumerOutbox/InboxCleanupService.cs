using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrderSystem.Messaging.Configuration;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.ConsumerOutbox;

/// <summary>
/// Forgets inbox rows once a duplicate can no longer arrive: rows delivered longer ago than the duplicate-detection
/// window, and rows of messages that never completed (faulted, moved to <c>_error</c>) received longer ago than it.
/// Rows that were consumed but not yet delivered are kept: their outbox messages still have to go out. Deletes oldest
/// first in bounded batches, so one run never holds long locks. Safe with several instances.
/// </summary>
public sealed class InboxCleanupService<TDbContext>(
    IServiceScopeFactory scopes,
    EntityFrameworkOutboxOptionsFor<TDbContext> options,
    ILogger<InboxCleanupService<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    private readonly EntityFrameworkOutboxOptions _options = options.Value;

    /// <summary>Deletes a batch of expired inbox rows: delivered before the cutoff, or never completed and received before it.</summary>
    private static string DeleteExpiredInboxSql(MessagingTables tables) =>
        $"DELETE FROM {tables.InboxState} WHERE id IN (SELECT id FROM {tables.InboxState} " +
        "WHERE (delivered < @cutoff) OR (delivered IS NULL AND consumed IS NULL AND received < @cutoff) " +
        "ORDER BY received LIMIT @limit FOR UPDATE SKIP LOCKED)";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var removed = await CleanupAsync(DateTime.UtcNow, stoppingToken);
                if (removed > 0) logger.LogDebug("Removed {Count} expired inbox rows from {DbContext}", removed, typeof(TDbContext).Name);
                await Task.Delay(_options.InboxCleanupInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Inbox cleanup for {DbContext} failed; next attempt in {Interval}", typeof(TDbContext).Name,
                    _options.InboxCleanupInterval);
                try
                {
                    await Task.Delay(_options.InboxCleanupInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>One cleanup run as of <paramref name="now"/>; returns rows removed.</summary>
    public async Task<int> CleanupAsync(DateTime now, CancellationToken cancellationToken)
    {
        var cutoff = now - _options.DuplicateDetectionWindow;
        var total = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TDbContext>();

            // A transaction of its own per batch (rather than the statement's implicit one) gives the batch named step
            // boundaries for the crash tests; the delete is idempotent, a batch lost with its process is found again.
            var removed = await db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var deleted = await db.Database.ExecuteSqlRawAsync(MessagingTables.For(db).Sql(DeleteExpiredInboxSql),
                    [new NpgsqlParameter("cutoff", cutoff), new NpgsqlParameter("limit", _options.QueryMessageLimit)], ct);
                if (deleted > 0) CrashPoint.Reach(CrashPoints.InboxRowsDeleted);
                await transaction.CommitAsync(ct);
                return deleted;
            }, cancellationToken);
            if (removed > 0) CrashPoint.Reach(CrashPoints.InboxCleanupCommitted);
            total += removed;
            if (removed < _options.QueryMessageLimit) return total;
        }
    }
}
