using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderSystem.Messaging.Broker;

namespace OrderSystem.Messaging.Diagnostics;

/// <summary>
/// Measures every receive endpoint's queue of this service (<see cref="Watch"/>) and reports <see cref="QueueMetrics"/>:
/// ready messages and consumers from a passive declare over AMQP (no management plugin); unacknowledged messages as this
/// instance counts them (<see cref="ReceiveActivityObserver.InFlight"/>: the broker's declare does not say, and every
/// instance reports its own, to be summed); and the lag. The lag is <c>ready ÷ consume rate</c>, the rate being what
/// this process received from the queue since the last round: "how long the current backlog takes to drain at the pace
/// we are going". While messages wait and nothing is consumed the rate is 0, and the lag is the time since this process
/// last consumed from the queue or saw it empty: it rises for as long as the queue is stalled. For a queue this process
/// watches without consuming from it (<see cref="QueueMonitorOptions.Queues"/>) that is always the case: its lag is the
/// time since the queue was last seen empty, an upper bound of the age of its oldest message.
/// </summary>
public sealed class QueueMonitor(BrokerEndpoints broker, ReceiveActivityObserver activity, IOptions<QueueMonitorOptions> options, ILogger<QueueMonitor> logger)
    : QueuePoller(broker, "queue-monitor", logger)
{
    private readonly Dictionary<string, Progress> _queues = [];
    private readonly Dictionary<string, QueueSnapshot> _latest = [];

    /// <summary>Adds a queue to measure.</summary>
    public void Watch(string queue)
    {
        lock (_queues) _queues.TryAdd(queue, new Progress(activity.Received(queue).Count, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
    }

    /// <summary>Queues measured by this monitor.</summary>
    public IReadOnlyCollection<string> Queues
    {
        get
        {
            lock (_queues) return _queues.Keys.ToArray();
        }
    }

    /// <summary>The latest figures of a watched queue (null before its first measurement), e.g. for flow control.</summary>
    public QueueSnapshot? Latest(string queue)
    {
        lock (_queues) return _latest.GetValueOrDefault(queue);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var queue in options.Value.Queues) Watch(queue);
        return base.StartAsync(cancellationToken);
    }

    protected override TimeSpan Interval =>
        options.Value.Interval > TimeSpan.Zero ? options.Value.Interval : new QueueMonitorOptions().Interval;

    protected override async Task MeasureAsync(CancellationToken cancellationToken)
    {
        foreach (var queue in Queues)
        {
            var declared = await DeclarePassiveAsync(queue, cancellationToken);
            if (declared is null) continue; // not declared yet: the bus creates it when its endpoint starts
            var snapshot = Measure(queue, declared.MessageCount, declared.ConsumerCount);
            lock (_queues) _latest[queue] = snapshot;
            QueueMetrics.Report(VirtualHost, snapshot);
        }
    }

    protected override void Forget()
    {
        foreach (var queue in Queues) QueueMetrics.Forget(VirtualHost, queue);
    }

    private QueueSnapshot Measure(string queue, long ready, long consumers)
    {
        var now = DateTimeOffset.UtcNow;
        var (received, lastReceived) = activity.Received(queue);
        Progress previous;
        lock (_queues)
        {
            previous = _queues[queue];
            _queues[queue] = new Progress(received, now, ready == 0 ? now : previous.LastEmpty);
        }

        var consumed = received - previous.Received;
        var seconds = (now - previous.At).TotalSeconds;
        var stalledSince = lastReceived is { } last && last > previous.LastEmpty ? last : previous.LastEmpty;
        var lag = ready == 0 ? TimeSpan.Zero
            : consumed > 0 && seconds > 0 ? TimeSpan.FromSeconds(ready * seconds / consumed)
            : now - stalledSince;
        return new QueueSnapshot(queue, ready, activity.InFlight(queue), consumers, lag, now);
    }

    /// <summary>Where the last round left a queue: messages received by then, when, and when it was last seen empty.</summary>
    private sealed record Progress(long Received, DateTimeOffset At, DateTimeOffset LastEmpty);
}
