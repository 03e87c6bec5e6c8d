using System.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrderSystem.Messaging.Configuration;
using OrderSystem.Messaging.Diagnostics;
using OrderSystem.Messaging.Persistence;

namespace OrderSystem.Messaging.Delivery;

/// <summary>
/// Delivers what the bus outbox and the scheduler committed to <typeparamref name="TDbContext"/>. Safe with several
/// instances on one database: each round takes rows with <c>FOR UPDATE SKIP LOCKED</c>, so instances share the work
/// and never send the same row twice concurrently.
/// <list type="bullet">
/// <item>Bus outbox: per transaction, lock the oldest undelivered <c>outbox_state</c>, send its messages in sequence
/// order, delete them and the state, commit. A send failure keeps what was sent deleted and the rest for later.</item>
/// <item>Scheduler: lock due rows (<c>enqueue_time &lt;= now</c>) oldest first, send them without delay, delete them, commit.</item>
/// <item>Idle: wait for an in-process commit signal, the next due time, or <see cref="EntityFrameworkOutboxOptions.QueryDelay"/>.</item>
/// <item>Errors (database or broker down): log, back off exponentially up to
/// <see cref="EntityFrameworkOutboxOptions.MaxDeliveryBackoff"/>, retry; nothing is lost, at worst a message sent just
/// before a failed commit is sent again (consumers deduplicate with the inbox).</item>
/// </list>
/// </summary>
public sealed class OutboxDeliveryService<TDbContext>(
    IServiceScopeFactory scopes,
    IBus bus,
    IBusControl busControl,
    OutboxDeliverySignal<TDbContext> signal,
    EntityFrameworkOutboxOptionsFor<TDbContext> options,
    ILogger<OutboxDeliveryService<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    private static readonly string ContextType = typeof(TDbContext).Name;
    private readonly EntityFrameworkOutboxOptions _options = options.Value;
    private DateTime _lastSnapshot = DateTime.MinValue;
    private MessagingTelemetry.SnapshotKey? _metricsKey;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Start once the bus is up (it starts in its own hosted service); if the broker stays down, go on anyway: sends
        // then fail and the loop backs off like for any other outage.
        try
        {
            using var startup = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            startup.CancelAfter(TimeSpan.FromSeconds(30));
            await busControl.WaitForHealthStatus(BusHealthStatus.Healthy, startup.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning("The bus is not healthy after 30 s; outbox delivery for {DbContext} starts anyway", ContextType);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var sent = await DeliverOutboxAsync(stoppingToken);
                sent += await DeliverDueScheduledAsync(stoppingToken);
                var nextDue = await RefreshBacklogAsync(sent > 0, stoppingToken);

                if (failures > 0)
                {
                    logger.LogInformation("Outbox delivery for {DbContext} recovered after {Failures} failed attempts", ContextType, failures);
                    failures = 0;
                }

                if (sent > 0) continue; // more may be waiting: drain before sleeping

                var wait = _options.QueryDelay;
                if (nextDue is { } due && due < wait) wait = due < TimeSpan.Zero ? TimeSpan.Zero : due;
                await signal.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                failures++;
                var backoff = TimeSpan.FromMilliseconds(Math.Min(
                    _options.MaxDeliveryBackoff.TotalMilliseconds,
                    _options.QueryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16))));
                logger.LogWarning(exception,
                    "Outbox delivery for {DbContext} failed (attempt {Failures}); retrying in {Backoff}", ContextType, failures, backoff);
                try
                {
                    await Task.Delay(backoff, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Delivers committed bus-outbox transactions, one per database transaction; returns messages sent.</summary>
    private async Task<int> DeliverOutboxAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        for (var round = 0; round < 100; round++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
            var tables = MessagingTables.For(db);

            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            var state = (await db.Set<OutboxState>()
                .FromSqlRaw(tables.LockOldestOutboxSql)
                .AsTracking()
                .ToListAsync(cancellationToken)).SingleOrDefault();
            if (state is null)
            {
                await transaction.CommitAsync(cancellationToken);
                return total;
            }

            var messages = await db.Set<OutboxMessage>().AsNoTracking()
                .Where(m => m.OutboxId == state.OutboxId)
                .OrderBy(m => m.SequenceNumber)
                .Take(_options.QueryMessageLimit)
                .ToListAsync(cancellationToken);

            long? lastSent = null;
            Exception? failure = null;
            foreach (var message in messages)
            {
                try
                {
                    await OutboxMessageSender.SendAsync(bus, message, "bus", cancellationToken);
                    lastSent = message.SequenceNumber;
                }
                catch (Exception e)
                {
                    failure = e;
                    break;
                }
            }

            if (lastSent is { } last)
            {
                await db.Set<OutboxMessage>()
                    .Where(m => m.OutboxId == state.OutboxId && m.SequenceNumber <= last)
                    .ExecuteDeleteAsync(cancellationToken);
                total += messages.TakeWhile(m => m.SequenceNumber <= last).Count();
            }

            if (failure is null && messages.Count < _options.QueryMessageLimit)
                db.Remove(state);
            else
                state.LockId = NewId.NextGuid();

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            if (failure is not null) throw new OutboxDeliveryException($"Sending outbox {state.OutboxId} failed", failure);
        }

        return total;
    }

    /// <summary>Sends scheduled messages that are due; returns how many.</summary>
    private async Task<int> DeliverDueScheduledAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var tables = MessagingTables.For(db);

        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var due = await db.Set<OutboxMessage>()
            .FromSqlRaw(tables.LockDueScheduledSql, new NpgsqlParameter("now", DateTime.UtcNow), new NpgsqlParameter("limit", _options.QueryMessageLimit))
            .AsNoTracking()
            .ToListAsync(cancellationToken);

        var sent = new List<long>();
        Exception? failure = null;
        foreach (var message in due)
        {
            try
            {
                await OutboxMessageSender.SendAsync(bus, message, "scheduled", cancellationToken);
                sent.Add(message.SequenceNumber);
            }
            catch (Exception e)
            {
                failure = e;
                break;
            }
        }

        if (sent.Count > 0)
            await db.Set<OutboxMessage>().Where(m => sent.Contains(m.SequenceNumber)).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (failure is not null) throw new OutboxDeliveryException("Sending a scheduled message failed", failure);
        return sent.Count;
    }

    /// <summary>Refreshes the backlog gauges (at most once a second unless work was done); returns time to the next due message.</summary>
    private async Task<TimeSpan?> RefreshBacklogAsync(bool force, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        if (!force && now - _lastSnapshot < TimeSpan.FromSeconds(1))
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

/// <summary>A message could not be handed to the broker; it stays in the database and is retried.</summary>
public sealed class OutboxDeliveryException(string message, Exception inner) : Exception(message, inner);
