using System.Collections.Concurrent;
using MassTransit;

namespace OrderSystem.Messaging.Diagnostics;

/// <summary>
/// Counts, per queue, what this process does with its deliveries: how many it has finished receiving (consumed or
/// faulted; the consume rate that <see cref="QueueMonitor"/> divides the ready messages by) and how many it holds right
/// now (started, not yet finished, so not yet acknowledged: <see cref="QueueMetrics.UnackedName"/>). A receive observer
/// on every endpoint of the bus.
/// </summary>
public sealed class ReceiveActivityObserver : IReceiveObserver
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new();

    /// <summary>Messages received from <paramref name="queue"/> so far, and when the last one finished.</summary>
    public (long Count, DateTimeOffset? Last) Received(string queue) =>
        _counters.TryGetValue(queue, out var counter)
            ? (Interlocked.Read(ref counter.Count), new DateTimeOffset(Interlocked.Read(ref counter.LastTicks), TimeSpan.Zero))
            : (0, null);

    /// <summary>Deliveries from <paramref name="queue"/> this process is handling now: received, not yet acknowledged.</summary>
    public long InFlight(string queue) => _counters.TryGetValue(queue, out var counter) ? Interlocked.Read(ref counter.InFlight) : 0;

    public Task PreReceive(ReceiveContext context)
    {
        if (CounterOf(context) is { } counter) Interlocked.Increment(ref counter.InFlight);
        return Task.CompletedTask;
    }

    public Task PostReceive(ReceiveContext context)
    {
        Finished(context);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class =>
        Task.CompletedTask;

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        Finished(context);
        return Task.CompletedTask;
    }

    private void Finished(ReceiveContext context)
    {
        if (CounterOf(context) is not { } counter) return;
        Interlocked.Decrement(ref counter.InFlight);
        Interlocked.Increment(ref counter.Count);
        Interlocked.Exchange(ref counter.LastTicks, DateTimeOffset.UtcNow.UtcTicks);
    }

    private Counter? CounterOf(ReceiveContext context)
    {
        var queue = context.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        return queue is null ? null : _counters.GetOrAdd(Uri.UnescapeDataString(queue), _ => new Counter());
    }

    private sealed class Counter
    {
        public long Count;
        public long LastTicks;
        public long InFlight;
    }
}
