using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrderSystem.Messaging.Configuration;

namespace OrderSystem.Messaging.Delivery;

/// <summary>
/// The delivery loop of <typeparamref name="TDbContext"/>: bus-outbox transactions (<see cref="BusOutboxDelivery{TDbContext}"/>)
/// when this process committed some, due scheduled messages (<see cref="ScheduledMessageDelivery{TDbContext}"/>) when
/// the earliest known due time has come, and both every <see cref="EntityFrameworkOutboxOptions.QueryDelay"/> (for rows
/// other processes committed); in between it waits for a <see cref="BusOutboxNotification{TDbContext}"/>, the next due
/// time, or the next poll.
/// On errors (database or broker down) it backs off exponentially up to <see cref="EntityFrameworkOutboxOptions.MaxDeliveryBackoff"/>.
/// Safe with several instances on one database (<c>FOR UPDATE SKIP LOCKED</c>).
/// </summary>
public sealed class BusOutboxDeliveryService<TDbContext>(
    IServiceScopeFactory scopes,
    IBus bus,
    IBusControl busControl,
    BusOutboxNotification<TDbContext> notification,
    EntityFrameworkOutboxOptionsFor<TDbContext> options,
    ILogger<BusOutboxDeliveryService<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    private static readonly string ContextType = typeof(TDbContext).Name;
    private static readonly TimeSpan BusStartupTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(5);
    private readonly EntityFrameworkOutboxOptions _options = options.Value;
    private readonly BusOutboxDelivery<TDbContext> _outbox = new(scopes, bus, options.Value.QueryMessageLimit, options.Value.SendTimeout);
    private readonly ScheduledMessageDelivery<TDbContext> _scheduled = new(scopes, bus, options.Value.QueryMessageLimit, options.Value.SendTimeout);
    private readonly DeliveryBacklog<TDbContext> _backlog = new(scopes);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await WaitForBusAsync(stoppingToken)) return;

        // A stop ends the loop between outbox transactions. The one in progress gets StopGracePeriod to finish its sends
        // and record them: cancelling it at once would make MassTransit log the interrupted send as a fault, and send
        // again after a restart what had already reached the broker.
        using var inFlight = new CancellationTokenSource();
        await using var _ = stoppingToken.Register(() => inFlight.CancelAfter(StopGracePeriod));

        var failures = 0;
        var pollAt = DateTime.MinValue; // a full pass, whatever was signalled: commits of other processes, work left by a failure
        DateTime? knownDue = null;      // the earliest scheduled row known: the backlog snapshot's, or signalled since
        var outboxMore = false;
        var scheduledMore = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = DateTime.UtcNow;
                var (outboxCommitted, scheduledDue) = notification.Take();
                knownDue = Earliest(knownDue, scheduledDue);
                var poll = now >= pollAt;
                if (poll) pollAt = now + _options.QueryDelay;

                // The bus outbox when this process committed to it, or on the poll; scheduled messages when one is due.
                var outbox = poll || outboxCommitted || outboxMore ? await _outbox.DeliverAsync(stoppingToken, inFlight.Token) : default;
                outboxMore = outbox.More;
                if (stoppingToken.IsCancellationRequested) break;
                var due = knownDue is { } k && k <= DateTime.UtcNow;
                var scheduled = poll || due || scheduledMore ? await _scheduled.DeliverAsync(inFlight.Token) : default;
                scheduledMore = scheduled.More;
                if (stoppingToken.IsCancellationRequested) break;

                var backlog = await _backlog.RefreshAsync(force: scheduled.Sent > 0 || due, stoppingToken);
                // A snapshot read now includes every commit signalled before it, so it replaces what was known. If it
                // still shows a past due time after a due-time pass sent nothing, another instance holds that row:
                // leave it to the poll rather than spin on it.
                if (backlog.Queried)
                {
                    var heldElsewhere = due && scheduled.Sent == 0 && backlog.NextDue <= DateTime.UtcNow;
                    knownDue = heldElsewhere ? null : backlog.NextDue;
                }

                if (failures > 0)
                {
                    logger.LogInformation("Outbox delivery for {DbContext} recovered after {Failures} failed attempts", ContextType, failures);
                    failures = 0;
                }

                // A round that ended full may have left more: drain before sleeping. Otherwise the bus outbox was found
                // drained and nothing scheduled is due; a commit made meanwhile has signalled, so the wait returns at once.
                if (outboxMore || scheduledMore) continue;

                var wakeAt = knownDue is { } d && d < pollAt ? d : pollAt;
                var wait = wakeAt - DateTime.UtcNow;
                await notification.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, stoppingToken);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                break; // cut short by the stop (its grace period ran out): what was not recorded goes again after a restart
            }
            catch (Exception exception)
            {
                failures++;
                pollAt = DateTime.MinValue;
                var backoff = Backoff(failures);
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

    private static DateTime? Earliest(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>
    /// Waits until the bus (started by its own hosted service) is up. If the broker stays down, goes on anyway: sends then
    /// fail and the loop backs off as for any other outage. False when the host is stopping.
    /// </summary>
    private async Task<bool> WaitForBusAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var startup = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            startup.CancelAfter(BusStartupTimeout);
            await busControl.WaitForHealthStatus(BusHealthStatus.Healthy, startup.Token);
            return true;
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning("The bus is not healthy after 30 s; outbox delivery for {DbContext} starts anyway", ContextType);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary><c>QueryDelay × 2^(failures−1)</c>, capped at <c>MaxDeliveryBackoff</c>.</summary>
    private TimeSpan Backoff(int failures) => TimeSpan.FromMilliseconds(Math.Min(
        _options.MaxDeliveryBackoff.TotalMilliseconds,
        _options.QueryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16))));
}
