namespace OrderSystem.Messaging.Diagnostics;

/// <summary>
/// One queue at one moment: <paramref name="Ready"/> messages waiting for a consumer and <paramref name="Consumers"/>
/// (both from a passive declare, for the whole queue), <paramref name="Unacked"/> messages this instance has taken and
/// not yet acknowledged (<see cref="QueueMetrics.UnackedName"/>), and <paramref name="Lag"/>, how far behind its
/// consumers are (<see cref="QueueMetrics.LagName"/>). <paramref name="MeasuredAt"/> says how fresh the figures are.
/// </summary>
public sealed record QueueSnapshot(string Queue, long Ready, long Unacked, long Consumers, TimeSpan Lag, DateTimeOffset MeasuredAt);
