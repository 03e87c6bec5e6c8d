using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;

namespace OrderSystem.Messaging.Tests.Support;

/// <summary>What the test consumers saw, in arrival order, with the trace they ran under.</summary>
public sealed class Deliveries
{
    private readonly ConcurrentQueue<Delivery> _all = new();
    private readonly ConcurrentDictionary<Guid, int> _attempts = new();
    private readonly ConcurrentDictionary<Guid, Hold> _holds = new();

    public IReadOnlyList<Delivery> All => _all.ToArray();

    public IReadOnlyList<T> Of<T>(Func<T, bool>? where = null) =>
        _all.Select(d => d.Message).OfType<T>().Where(m => where?.Invoke(m) ?? true).ToList();

    public IReadOnlyList<Delivery> Where<T>(Func<T, bool> where) =>
        _all.Where(d => d.Message is T m && where(m)).ToList();

    public void Record(ConsumeContext context, object message)
    {
        var activity = Activity.Current;
        _all.Enqueue(new Delivery(message, context.MessageId, DateTime.UtcNow, activity?.TraceId.ToString(),
            activity?.Baggage.ToDictionary(b => b.Key, b => b.Value) ?? []));
    }

    /// <summary>Counts an attempt at consuming message <paramref name="key"/>; returns its number (1-based).</summary>
    public int Attempt(Guid key) => _attempts.AddOrUpdate(key, 1, (_, n) => n + 1);

    public int Attempts(Guid key) => _attempts.GetValueOrDefault(key);

    /// <summary>
    /// Called by a consumer while it holds message <paramref name="key"/>: stays inside for up to
    /// <paramref name="window"/> (less if a second consumer enters with the same key), widening the window in which a
    /// broken inbox lock would let a concurrent duplicate in. <see cref="Overlapped"/> then tells.
    /// </summary>
    public async Task HoldAsync(Guid key, TimeSpan window)
    {
        var hold = _holds.GetOrAdd(key, _ => new Hold());
        if (Interlocked.Increment(ref hold.Inside) > 1)
        {
            hold.Overlapped = true;
            hold.SecondEntered.TrySetResult();
        }

        try
        {
            await Task.WhenAny(hold.SecondEntered.Task, Task.Delay(window));
        }
        finally
        {
            Interlocked.Decrement(ref hold.Inside);
        }
    }

    /// <summary>True when two consumers were inside <see cref="HoldAsync"/> with the same key at the same time.</summary>
    public bool Overlapped(Guid key) => _holds.TryGetValue(key, out var hold) && hold.Overlapped;

    private sealed class Hold
    {
        public int Inside;
        public volatile bool Overlapped;
        public readonly TaskCompletionSource SecondEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public sealed record Delivery(object Message, Guid? MessageId, DateTime At, string? TraceId, Dictionary<string, string?> Baggage);
}
