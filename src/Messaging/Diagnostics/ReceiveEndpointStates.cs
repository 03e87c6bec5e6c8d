using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Options;

namespace OrderSystem.Messaging.Diagnostics;

/// <summary>
/// Whether each receive endpoint of the bus is consuming, from two sources. MassTransit's own events (ready, stopping,
/// completed, faulted) say what the bus believes. The broker says whether the queue has a consumer at all
/// (<see cref="QueueMonitor"/>'s passive declares): a consumer whose channel died while a delivery it cannot cancel is
/// still running stays "ready" in MassTransit's eyes for as long as that delivery lasts (docs/reliability.md, "Three-node
/// cluster"), so an endpoint that is ready while its queue has had messages waiting and no consumer for
/// <see cref="ReceiveEndpointOptions.ConsumerLostAfter"/> is reported too.
/// </summary>
public sealed class ReceiveEndpointStates(IOptions<ReceiveEndpointOptions> options, QueueMonitor? queues = null) : IReceiveEndpointObserver
{
    private readonly ConcurrentDictionary<string, Observed> _endpoints = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _noConsumerSince = new();

    /// <summary>Every endpoint the bus has reported, by queue name.</summary>
    public IReadOnlyCollection<string> Endpoints => _endpoints.Keys.ToArray();

    /// <summary>The endpoints that are not consuming now, each with the reason, in queue-name order.</summary>
    public IReadOnlyList<(string Queue, string Reason)> NotConsuming(DateTimeOffset now)
    {
        var found = new List<(string, string)>();
        foreach (var (queue, observed) in _endpoints.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (observed.State != "ready")
            {
                found.Add((queue, $"{observed.State} since {observed.Since:O}{(observed.Detail is null ? "" : ": " + observed.Detail)}"));
                continue;
            }

            if (queues?.Latest(queue) is not { } snapshot || snapshot.MeasuredAt < observed.Since) continue;
            if (snapshot.Consumers > 0 || snapshot.Ready == 0)
            {
                _noConsumerSince.TryRemove(queue, out _);
                continue;
            }

            var since = _noConsumerSince.GetOrAdd(queue, snapshot.MeasuredAt);
            if (now - since >= options.Value.ConsumerLostAfter)
            {
                found.Add((queue, $"ready, but the broker has shown no consumer on the queue since {since:O} ({snapshot.Ready} messages waiting)"));
            }
        }

        return found;
    }

    public Task Ready(ReceiveEndpointReady ready) => Set(ready.InputAddress, "ready", null);

    public Task Stopping(ReceiveEndpointStopping stopping) => Set(stopping.InputAddress, "stopping", null);

    public Task Completed(ReceiveEndpointCompleted completed) => Set(completed.InputAddress, "stopped", null);

    public Task Faulted(ReceiveEndpointFaulted faulted) => Set(faulted.InputAddress, "faulted", faulted.Exception?.Message);

    private Task Set(Uri inputAddress, string state, string? detail)
    {
        var queue = QueueName(inputAddress);
        _endpoints[queue] = new Observed(state, DateTimeOffset.UtcNow, detail);
        _noConsumerSince.TryRemove(queue, out _);
        return Task.CompletedTask;
    }

    private static string QueueName(Uri inputAddress) =>
        Uri.UnescapeDataString(inputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? inputAddress.ToString());

    private sealed record Observed(string State, DateTimeOffset Since, string? Detail);
}
