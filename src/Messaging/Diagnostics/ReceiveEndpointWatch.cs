using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrderSystem.Messaging.Diagnostics;

/// <summary>
/// Says it when a receive endpoint stops or resumes consuming, without waiting for a health probe: a warning naming the
/// endpoint and the reason, an information line when it consumes again, and the gauge
/// <c>messaging.receive_endpoint.not_consuming</c> (1 per endpoint not consuming, tagged <c>queue</c>).
/// </summary>
internal sealed class ReceiveEndpointWatch(ReceiveEndpointStates states, IOptions<ReceiveEndpointOptions> options, ILogger<ReceiveEndpointWatch> logger)
    : BackgroundService
{
    public const string GaugeName = "messaging.receive_endpoint.not_consuming";

    private static readonly Dictionary<string, string> Current = [];

    static ReceiveEndpointWatch()
    {
        MessagingTelemetry.Meter.CreateObservableGauge(GaugeName, Observe, "{endpoint}",
            "Receive endpoints of this service that are not consuming (faulted, stopped, or without a consumer at the broker)");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval > TimeSpan.Zero ? options.Value.Interval : new ReceiveEndpointOptions().Interval);
        var reported = new Dictionary<string, string>();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = states.NotConsuming(DateTimeOffset.UtcNow).ToDictionary(e => e.Queue, e => e.Reason);
            foreach (var (queue, reason) in now.Where(e => !reported.ContainsKey(e.Key)))
            {
                logger.LogWarning("Receive endpoint {Queue} is not consuming: {Reason}", queue, reason);
            }

            foreach (var queue in reported.Keys.Where(q => !now.ContainsKey(q)))
            {
                logger.LogInformation("Receive endpoint {Queue} is consuming again", queue);
            }

            reported = now;
            lock (Current)
            {
                Current.Clear();
                foreach (var (queue, reason) in now) Current[queue] = reason;
            }
        }
    }

    private static IEnumerable<Measurement<long>> Observe()
    {
        lock (Current)
        {
            return Current.Keys.Select(q => new Measurement<long>(1, new KeyValuePair<string, object?>("queue", q))).ToArray();
        }
    }
}
