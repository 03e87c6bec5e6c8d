using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderSystem.Messaging.Broker;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OrderSystem.Messaging.Diagnostics;

/// <summary>
/// Measures the depth of the dead-letter queues (<c>&lt;queue&gt;_error</c>: a consumer gave up; <c>&lt;queue&gt;_skipped</c>:
/// nothing on the endpoint consumes the message's type) of every receive endpoint this service configures, and reports it as <see cref="FailureMetrics.ErrorQueueDepthName"/>. It needs no
/// management plugin and no extra configuration: a passive queue declare over AMQP answers the message count, on the
/// service's own broker connection string; the endpoint names come from the bus configuration
/// (<see cref="Watch"/>). An error queue that does not exist yet (MassTransit creates it on the first fault) counts 0.
/// </summary>
public sealed class ErrorQueueMonitor(BrokerEndpoints broker, IOptions<ErrorQueueMonitorOptions> options, ILogger<ErrorQueueMonitor> logger)
    : BackgroundService
{
    public const string ErrorQueueSuffix = "_error";
    public const string SkippedQueueSuffix = "_skipped";

    private readonly HashSet<string> _queues = [];
    private readonly string _virtualHost = broker.VirtualHost;
    private IConnection? _connection;
    private bool _failing;

    /// <summary>Adds an endpoint (its queue name) whose error and skipped queues are measured.</summary>
    public void Watch(string endpointQueue)
    {
        lock (_queues)
        {
            _queues.Add(endpointQueue + ErrorQueueSuffix);
            _queues.Add(endpointQueue + SkippedQueueSuffix);
        }
    }

    /// <summary>Error queues measured by this monitor.</summary>
    public IReadOnlyCollection<string> ErrorQueues
    {
        get
        {
            lock (_queues) return _queues.ToArray();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Interval > TimeSpan.Zero ? options.Value.Interval : new ErrorQueueMonitorOptions().Interval;
        using var timer = new PeriodicTimer(interval);
        do
        {
            await MeasureAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Measures every watched error queue once and reports the depths.</summary>
    private async Task MeasureAsync(CancellationToken cancellationToken)
    {
        try
        {
            _connection ??= await broker.ConnectAsync("error-queue-monitor", cancellationToken);

            foreach (var queue in ErrorQueues)
            {
                FailureMetrics.ReportDepth(_virtualHost, queue, await DepthAsync(_connection, queue, cancellationToken));
            }

            if (_failing) logger.LogInformation("Error queue monitor: broker reachable again");
            _failing = false;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (!_failing) logger.LogWarning(e, "Error queue monitor: cannot measure the error queues; keeping the last values");
            _failing = true;
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }
        }
    }

    private static async Task<long> DepthAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes the channel (404): one channel per queue.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var queue in ErrorQueues) FailureMetrics.Forget(_virtualHost, queue);
        if (_connection is not null) await _connection.DisposeAsync();
        _connection = null;
    }
}
