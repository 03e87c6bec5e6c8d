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

    /// <summary>Refreshes the gauges (at most once a second unless <paramref name="force"/>); returns time to the next due message.</summary>
    public async Task<TimeSpan?> RefreshAsync(bool force, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        if (!force && now - _lastSnapshot < RefreshInterval)
        {
            var latest = _metricsKey is null ? null : MessagingTelemetry.Latest(_metricsKey);
            return latest?.NextDueIn is { } nextDueIn ? nextDueIn - (now - _lastSnapshot) : null;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        _metricsKey ??= MessagingTelemetry.Key(ContextType, db.Database.GetDbConnection().Database);
        var outboxCount = await db.Set<OutboxState>().LongCountAsync(cancellationToken);
        var oldest = await db.Set<OutboxState>().MinAsync(s => (DateTime?)s.Created, cancellationToken);
        var scheduledRows = db.Set<OutboxMessage>().Where(m => m.OutboxId == null && m.InboxMessageId == null);
        var scheduledCount = await scheduledRows.LongCountAsync(cancellationToken);
        var next = await scheduledRows.MinAsync(m => m.EnqueueTime, cancellationToken);

        var nextDue = next is { } n ? n - now : (TimeSpan?)null;
        MessagingTelemetry.Report(_metricsKey, new MessagingTelemetry.BacklogSnapshot(
            outboxCount, oldest is { } o ? now - o : null, scheduledCount, nextDue));
        _lastSnapshot = now;
        return nextDue;
    }
}
