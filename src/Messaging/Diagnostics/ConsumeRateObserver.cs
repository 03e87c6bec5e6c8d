using System.Collections.Concurrent;
using MassTransit;

namespace OrderSystem.Messaging.Diagnostics;

/// <summary>
/// Counts, per queue, the messages this process has finished receiving (consumed or faulted): the consume rate that
/// <see cref="QueueMonitor"/> divides the ready messages by. A receive observer on every endpoint of the bus.
/// </summary>
public sealed class ConsumeRateObserver : IReceiveObserver
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new();

    /// <summary>Messages received from <paramref name="queue"/> so far, and when the last one finished.</summary>
    public (long Count, DateTimeOffset? Last) Received(string queue) =>
        _counters.TryGetValue(queue, out var counter)
            ? (Interlocked.Read(ref counter.Count), new DateTimeOffset(Interlocked.Read(ref counter.LastTicks), TimeSpan.Zero))
            : (0, null);

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context)
    {
        Count(context);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class =>
        Task.CompletedTask;

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        Count(context);
        return Task.CompletedTask;
    }

    private void Count(ReceiveContext context)
    {
        var queue = context.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (queue is null) return;
        var counter = _counters.GetOrAdd(Uri.UnescapeDataString(queue), _ => new Counter());
        Interlocked.Increment(ref counter.Count);
        Interlocked.Exchange(ref counter.LastTicks, DateTimeOffset.UtcNow.UtcTicks);
    }

    private sealed class Counter
    {
        public long Count;
        public long LastTicks;
    }
}
