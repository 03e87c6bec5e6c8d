namespace OrderSystem.Messaging.Diagnostics;

/// <summary>Configuration section <c>Messaging:QueueMonitor</c> of <see cref="QueueMonitor"/>.</summary>
public sealed class QueueMonitorOptions
{
    public const string Section = "Messaging:QueueMonitor";

    /// <summary>False: no monitor (and no queue gauges) in this process. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the service's queues are measured. Default 5 s: fine enough for a dashboard and for the API's backpressure.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Queues to measure besides this service's own receive endpoints, e.g. those of the services it sends work to, so
    /// that a queue stays on the dashboard while its only consumer is down. Default none.
    /// </summary>
    public List<string> Queues { get; set; } = [];
}
