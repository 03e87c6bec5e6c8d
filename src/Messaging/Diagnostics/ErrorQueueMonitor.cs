using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderSystem.Messaging.Broker;

namespace OrderSystem.Messaging.Diagnostics;

/// <summary>
/// Measures the depth of the dead-letter queues (<c>&lt;queue&gt;_error</c>: a consumer gave up; <c>&lt;queue&gt;_skipped</c>:
/// nothing on the endpoint consumes the message's type) of every receive endpoint this service configures
/// (<see cref="Watch"/>, from the bus configuration), and reports it as <see cref="FailureMetrics.ErrorQueueDepthName"/>.
/// An error queue that does not exist yet (MassTransit creates it on the first fault) counts 0.
/// </summary>
public sealed class ErrorQueueMonitor(BrokerEndpoints broker, IOptions<ErrorQueueMonitorOptions> options, ILogger<ErrorQueueMonitor> logger)
    : QueuePoller(broker, "error-queue-monitor", logger)
{
    public const string ErrorQueueSuffix = "_error";
    public const string SkippedQueueSuffix = "_skipped";

    private readonly HashSet<string> _queues = [];

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

    protected override TimeSpan Interval =>
        options.Value.Interval > TimeSpan.Zero ? options.Value.Interval : new ErrorQueueMonitorOptions().Interval;

    protected override async Task MeasureAsync(CancellationToken cancellationToken)
    {
        foreach (var queue in ErrorQueues)
        {
            var declared = await DeclarePassiveAsync(queue, cancellationToken);
            FailureMetrics.ReportDepth(VirtualHost, queue, declared?.MessageCount ?? 0);
        }
    }

    protected override void Forget()
    {
        foreach (var queue in ErrorQueues) FailureMetrics.Forget(VirtualHost, queue);
    }
}
