using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OrderSystem.Messaging.Diagnostics;
using OrderSystem.Ordering.Persistence;

namespace OrderSystem.Ordering.Backpressure;

/// <summary>
/// The front door's flow control: what waits for the order saga, from figures this process measures anyway (no query
/// per request) — the bus-outbox backlog of orderdb (its delivery service, about every second) and the ready messages
/// of <c>order-state</c> (<see cref="QueueMonitor"/>, every <c>Messaging:QueueMonitor:Interval</c>). Either figure
/// missing (not measured yet, monitor disabled) counts 0: the gate opens rather than refuse on no evidence.
/// </summary>
public sealed class SagaBacklog(IOptionsMonitor<BackpressureOptions> options, IServiceProvider services)
{
    public const string SagaQueue = "order-state";

    private readonly QueueMonitor? _queues = services.GetService<QueueMonitor>();

    public BackpressureOptions Options => options.CurrentValue;

    /// <summary>Messages waiting for the saga, and whether that is over the bound.</summary>
    public (long Waiting, bool OverBound) Measure(OrderingDbContext db)
    {
        var outbox = MessagingTelemetry.Latest(MessagingTelemetry.Key(nameof(OrderingDbContext), db.Database.GetDbConnection().Database));
        var waiting = (outbox?.OutboxBacklog ?? 0) + (_queues?.Latest(SagaQueue)?.Ready ?? 0);
        return (waiting, Options.Enabled && waiting > Options.MaxWaiting);
    }
}
