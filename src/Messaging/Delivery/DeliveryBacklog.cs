using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Messaging.Diagnostics;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.Delivery;

/// <summary>Measures what is waiting for delivery (for the backlog gauges) and when the next scheduled message is due.</summary>
internal sealed class DeliveryBacklog<TDbContext>(IServiceScopeFactory scopes)
    where TDbContext : DbContext
{
    private static readonly string ContextType = typeof(TDbContext).Name;
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);
    private DateTime _lastSnapshot = DateTime.MinValue;
    private MessagingTelemetry.SnapshotKey? _metricsKey;

    /// <summary>The four figures in one statement (one round trip, where four LINQ queries took four).</summary>
    private static string SnapshotSql(MessagingTables tables) =>
        $"SELECT (SELECT count(*) FROM {tables.OutboxState}), (SELECT min(created) FROM {tables.OutboxState}), " +
        $"count(*), min(enqueue_time) FROM {tables.OutboxMessage} WHERE {MessagingModelBuilderExtensions.ScheduledMessageFilter}";

    /// <summary>
    /// Refreshes the gauges (at most once a second unless <paramref name="force"/>: after scheduled messages were sent,
    /// when the next due time has moved); returns when the next scheduled message is due, and whether it was read now.
    /// </summary>
    public async Task<BacklogRefresh> RefreshAsync(bool force, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        if (!force && now - _lastSnapshot < RefreshInterval)
        {
            var latest = _metricsKey is null ? null : MessagingTelemetry.Latest(_metricsKey);
            return new BacklogRefresh(latest?.NextDueIn is { } nextDueIn ? _lastSnapshot + nextDueIn : null, Queried: false);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var connection = db.Database.GetDbConnection();
        _metricsKey ??= MessagingTelemetry.Key(ContextType, connection.Database);

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = MessagingTables.For(db).Sql(SnapshotSql);
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var outboxCount = reader.GetInt64(0);
            DateTime? oldest = reader.IsDBNull(1) ? null : reader.GetDateTime(1);
            var scheduledCount = reader.GetInt64(2);
            DateTime? next = reader.IsDBNull(3) ? null : reader.GetDateTime(3);

            var nextDue = next is { } n ? n - now : (TimeSpan?)null;
            MessagingTelemetry.Report(_metricsKey, new MessagingTelemetry.BacklogSnapshot(
                outboxCount, oldest is { } o ? now - o : null, scheduledCount, nextDue));
            _lastSnapshot = now;
            return new BacklogRefresh(next is { } due ? DateTime.SpecifyKind(due, DateTimeKind.Utc) : null, Queried: true);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
