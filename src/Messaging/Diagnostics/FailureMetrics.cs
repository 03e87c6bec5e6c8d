using System.Diagnostics.Metrics;

namespace OrderSystem.Messaging.Diagnostics;

/// <summary>
/// Instruments of failure handling, on the building block's meter: <c>messaging.redeliveries</c> (a failed message was
/// scheduled for delayed redelivery) and <c>messaging.error_queue.depth</c> (measured by <see cref="ErrorQueueMonitor"/>).
/// </summary>
public static class FailureMetrics
{
    public const string RedeliveriesName = "messaging.redeliveries";
    public const string ErrorQueueDepthName = "messaging.error_queue.depth";

    public static readonly Counter<long> Redeliveries = MessagingTelemetry.Meter.CreateCounter<long>(
        RedeliveriesName, "{message}", "Failed messages scheduled for delayed redelivery");

    private static readonly Dictionary<(string VirtualHost, string Queue), long> Depths = [];

    static FailureMetrics()
    {
        MessagingTelemetry.Meter.CreateObservableGauge(ErrorQueueDepthName, ObserveDepths, "{message}",
            "Messages waiting in an error (dead-letter) queue");
    }

    /// <summary>Counts one redelivery scheduled back to <paramref name="endpointAddress"/> (<c>rabbitmq://host/vhost/queue</c>).</summary>
    public static void RecordRedelivery(Uri endpointAddress, string messageType)
    {
        var segments = endpointAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        var queue = segments.Length > 0 ? segments[^1] : "";
        var virtualHost = segments.Length > 1 ? segments[0] : "/";
        Redeliveries.Add(1, new KeyValuePair<string, object?>("endpoint", queue), new KeyValuePair<string, object?>("vhost", virtualHost),
            new KeyValuePair<string, object?>("message_type", messageType));
    }

    /// <summary>Latest depth of one error queue.</summary>
    public static void ReportDepth(string virtualHost, string queue, long depth)
    {
        lock (Depths) Depths[(virtualHost, queue)] = depth;
    }

    /// <summary>Stops reporting a queue (its monitor stopped).</summary>
    public static void Forget(string virtualHost, string queue)
    {
        lock (Depths) Depths.Remove((virtualHost, queue));
    }

    private static IEnumerable<Measurement<long>> ObserveDepths()
    {
        KeyValuePair<(string VirtualHost, string Queue), long>[] all;
        lock (Depths) all = Depths.ToArray();
        foreach (var ((virtualHost, queue), depth) in all)
        {
            yield return new Measurement<long>(depth,
                new KeyValuePair<string, object?>("queue", queue), new KeyValuePair<string, object?>("vhost", virtualHost));
        }
    }
}
