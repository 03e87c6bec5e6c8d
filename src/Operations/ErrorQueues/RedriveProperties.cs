using System.Globalization;
using RabbitMQ.Client;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// The properties a re-driven message is published with: the original's, with the fault headers of its last failure
/// moved out of MassTransit's namespace, so that if it faults again MassTransit writes fresh MT-Fault-* headers and
/// nothing stale (a retry count, a redelivery count) leaks into the new attempt's policy or into the operator's view.
/// </summary>
public static class RedriveProperties
{
    public static BasicProperties For(ErrorQueueMessage message, DateTimeOffset now)
    {
        var properties = new BasicProperties(message.Properties);
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in message.Properties.Headers ?? new Dictionary<string, object?>())
        {
            if (IsFaultHeader(name))
            {
                // Keep the previous fault's summary for the audit trail, minus the stack trace (large, and still in logs).
                if (name != FaultHeaders.StackTrace)
                {
                    var suffix = name.StartsWith(FaultHeaders.FaultPrefix, StringComparison.Ordinal) ? name[FaultHeaders.FaultPrefix.Length..] : name[3..];
                    headers[FaultHeaders.LastFaultPrefix + suffix] = value;
                }

                continue;
            }

            if (IsBrokerDeadLetterHeader(name))
            {
                // RabbitMQ's dead-letter history: keep why, drop the rest, so that a later failure is not shown with this cause.
                if (name == FaultHeaders.FirstDeathReason) headers[FaultHeaders.LastFaultPrefix + "death-reason"] = value;
                continue;
            }

            if (name.StartsWith(FaultHeaders.LastFaultPrefix, StringComparison.Ordinal)) continue;
            headers[name] = value;
        }

        headers[FaultHeaders.RedriveCount] = message.RedriveCount + 1;
        headers[FaultHeaders.RedrivenAt] = now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        headers[FaultHeaders.RedrivenFrom] = message.ErrorQueue;
        if (message.FirstFaultedAt is { } first) headers[FaultHeaders.FirstFaultTimestamp] = first;
        properties.Headers = headers;
        return properties;
    }

    /// <summary>
    /// RabbitMQ's dead-letter headers (x-death, x-first-death-*, x-last-death-*) and a quorum queue's x-delivery-count:
    /// they describe the last trip, not the message.
    /// </summary>
    public static bool IsBrokerDeadLetterHeader(string name) =>
        name == FaultHeaders.Death
        || name == FaultHeaders.DeliveryCount
        || name.StartsWith(FaultHeaders.FirstDeathPrefix, StringComparison.Ordinal)
        || name.StartsWith(FaultHeaders.LastDeathPrefix, StringComparison.Ordinal);

    /// <summary>MassTransit's fault headers: MT-Fault-*, MT-Reason and MT-Redelivery-Count.</summary>
    public static bool IsFaultHeader(string name) =>
        name.StartsWith(FaultHeaders.FaultPrefix, StringComparison.Ordinal)
        || name == FaultHeaders.Reason
        || name == FaultHeaders.RedeliveryCount;
}
