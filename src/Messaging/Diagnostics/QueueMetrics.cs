using System.Diagnostics.Metrics;

namespace OrderSystem.Messaging.Diagnostics;

/// <summary>
/// Gauges of the service's work queues on the building block's meter, measured by <see cref="QueueMonitor"/>, each tagged
/// <c>queue</c> and <c>vhost</c> like <c>messaging.error_queue.depth</c>.
/// </summary>
public static class QueueMetrics
{
    public const string ReadyName = "messaging.queue.ready";
    public const string UnackedName = "messaging.queue.unacked";
    public const string ConsumersName = "messaging.queue.consumers";
    public const string LagName = "messaging.queue.lag";

    private static readonly Dictionary<(string VirtualHost, string Queue), QueueSnapshot> Latest = [];

    static QueueMetrics()
    {
        MessagingTelemetry.Meter.CreateObservableGauge(ReadyName, () => Observe(s => s.Ready), "{message}",
            "Messages ready in a service queue, waiting for a consumer");
        MessagingTelemetry.Meter.CreateObservableGauge(UnackedName, () => Observe(s => s.Unacked), "{message}",
            "Messages this instance took from a service queue and has not acknowledged yet (being handled); sum over the instances for the queue");
        MessagingTelemetry.Meter.CreateObservableGauge(ConsumersName, () => Observe(s => s.Consumers), "{consumer}",
            "Consumers attached to a service queue (every instance of the service)");
        MessagingTelemetry.Meter.CreateObservableGauge(LagName, () => Observe(s => s.Lag.TotalSeconds), "s",
            "How far the queue's consumers are behind: ready messages / this instance's consume rate; while nothing is consumed, the time since the last consume");
    }

    public static void Report(string virtualHost, QueueSnapshot snapshot)
    {
        lock (Latest) Latest[(virtualHost, snapshot.Queue)] = snapshot;
    }

    public static void Forget(string virtualHost, string queue)
    {
        lock (Latest) Latest.Remove((virtualHost, queue));
    }

    private static IEnumerable<Measurement<T>> Observe<T>(Func<QueueSnapshot, T> value) where T : struct
    {
        KeyValuePair<(string VirtualHost, string Queue), QueueSnapshot>[] all;
        lock (Latest) all = Latest.ToArray();
        foreach (var ((virtualHost, queue), snapshot) in all)
        {
            yield return new Measurement<T>(value(snapshot),
                new KeyValuePair<string, object?>("queue", queue), new KeyValuePair<string, object?>("vhost", virtualHost));
        }
    }
}
