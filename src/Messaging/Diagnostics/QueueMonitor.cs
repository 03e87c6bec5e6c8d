using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderSystem.Messaging.Broker;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OrderSystem.Messaging.Diagnostics;

/// <summary>
/// Measures every receive endpoint's queue of this service (<see cref="Watch"/>) and reports <see cref="QueueMetrics"/>:
/// ready messages and consumers from a passive declare over AMQP (no management plugin), and the lag. The lag is
/// <c>ready ÷ consume rate</c>, the rate being what this process received from the queue since the last round
/// (<see cref="ConsumeRateObserver"/>): "how long the current backlog takes to drain at the pace we are going". While
/// messages wait and nothing is consumed the rate is 0, and the lag is the time since this process last consumed from the
/// queue or saw it empty: it rises for as long as the queue is stalled. For a queue this process watches without
/// consuming from it (<see cref="QueueMonitorOptions.Queues"/>) that is always the case: its lag is the time since the
/// queue was last seen empty, an upper bound of the age of its oldest message.
/// </summary>
public sealed class QueueMonitor(BrokerEndpoints broker, ConsumeRateObserver rates, IOptions<QueueMonitorOptions> options, ILogger<QueueMonitor> logger)
    : BackgroundService
{
    private readonly Dictionary<string, Progress> _queues = [];
    private readonly Dictionary<string, QueueSnapshot> _latest = [];
    private readonly string _virtualHost = broker.VirtualHost;
    private IConnection? _connection;
    private bool _failing;

    /// <summary>Adds a queue to measure.</summary>
    public void Watch(string queue)
    {
        lock (_queues) _queues.TryAdd(queue, new Progress(rates.Received(queue).Count, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var queue in options.Value.Queues) Watch(queue);
        var interval = options.Value.Interval > TimeSpan.Zero ? options.Value.Interval : new QueueMonitorOptions().Interval;
        using var timer = new PeriodicTimer(interval);
        do
        {
            await MeasureAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task MeasureAsync(CancellationToken cancellationToken)
    {
        try
        {
            _connection ??= await broker.ConnectAsync("queue-monitor", cancellationToken);

            foreach (var queue in Queues)
            {
                var declared = await DeclarePassiveAsync(_connection, queue, cancellationToken);
                if (declared is null) continue; // not declared yet: the bus creates it when its endpoint starts
                var snapshot = Measure(queue, declared.MessageCount, declared.ConsumerCount);
                lock (_queues) _latest[queue] = snapshot;
                QueueMetrics.Report(_virtualHost, snapshot);
            }

            if (_failing) logger.LogInformation("Queue monitor: broker reachable again");
            _failing = false;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (!_failing) logger.LogWarning(e, "Queue monitor: cannot measure the queues; keeping the last values");
            _failing = true;
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }
        }
    }

    private QueueSnapshot Measure(string queue, long ready, long consumers)
    {
        var now = DateTimeOffset.UtcNow;
        var (received, lastReceived) = rates.Received(queue);
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
        return new QueueSnapshot(queue, ready, consumers, lag, now);
    }

    private static async Task<QueueDeclareOk?> DeclarePassiveAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes the channel (404): one channel per queue.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var queue in Queues) QueueMetrics.Forget(_virtualHost, queue);
        if (_connection is not null) await _connection.DisposeAsync();
        _connection = null;
    }

    /// <summary>Where the last round left a queue: messages received by then, when, and when it was last seen empty.</summary>
    private sealed record Progress(long Received, DateTimeOffset At, DateTimeOffset LastEmpty);
}
