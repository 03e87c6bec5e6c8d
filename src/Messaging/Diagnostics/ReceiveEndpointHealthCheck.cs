using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrderSystem.Messaging.Diagnostics;

/// <summary>
/// Readiness of the receive endpoints: Unhealthy, naming each endpoint and why, when one is not consuming
/// (<see cref="ReceiveEndpointStates.NotConsuming"/>). MassTransit's <c>masstransit-bus</c> check sees only what the bus
/// believes; this one also sees a queue left without its consumer.
/// </summary>
internal sealed class ReceiveEndpointHealthCheck(ReceiveEndpointStates states) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var notConsuming = states.NotConsuming(DateTimeOffset.UtcNow);
        if (notConsuming.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"{states.Endpoints.Count} receive endpoint(s) consuming"));
        }

        var description = "Not consuming: " + string.Join("; ", notConsuming.Select(e => $"{e.Queue} ({e.Reason})"));
        return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, description,
            data: notConsuming.ToDictionary(e => e.Queue, e => (object)e.Reason)));
    }
}
