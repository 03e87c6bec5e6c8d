namespace OrderSystem.Messaging.Diagnostics;

/// <summary>Configuration section <c>Messaging:ReceiveEndpoints</c>: how long a receive endpoint may stop consuming unnoticed.</summary>
public sealed class ReceiveEndpointOptions
{
    public const string Section = "Messaging:ReceiveEndpoints";

    /// <summary>
    /// How long MassTransit waits for the deliveries in flight on a consumer whose channel died before it gives up on them
    /// and restarts the endpoint (<c>MassTransitHostOptions.ConsumerStopTimeout</c>, and <c>StopTimeout</c> when not set
    /// otherwise). MassTransit's default is no limit: one delivery that never ends keeps the endpoint down for good.
    /// Default 30 s.
    /// </summary>
    public TimeSpan ConsumerStopTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an endpoint MassTransit reports ready may have no consumer on its queue at the broker (while messages wait
    /// there) before <c>/health</c> says so. Default 15 s: longer than a node failover takes (3–8 s measured).
    /// </summary>
    public TimeSpan ConsumerLostAfter { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the endpoints are checked for the log and the gauge. Default 5 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);
}
