namespace OrderSystem.Messaging.Diagnostics;

/// <summary>Configuration section <c>Messaging:ErrorQueueMonitor</c> of <see cref="ErrorQueueMonitor"/>.</summary>
public sealed class ErrorQueueMonitorOptions
{
    public const string Section = "Messaging:ErrorQueueMonitor";

    /// <summary>False: no monitor (and no depth gauge) in this process. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the error queues are measured. Default 15 s (a dashboard scrapes every 10–60 s).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);
}
