using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;

namespace OrderSystem.Messaging.Benchmarks.Flow;

/// <summary>
/// Follows a phase's flows: when each was submitted, its submitted → confirmed latency (the saga's last step, as the
/// end-to-end benchmark's POST → Confirmed), and the last consumes of every flow (notifier twice, the sale once).
/// </summary>
public sealed class FlowTracker
{
    /// <summary>Consumes that end a flow: the notifier's two and the sale.</summary>
    public const int EndsPerFlow = 3;

    private readonly ConcurrentDictionary<int, long> _submitted = new();
    private readonly LongHistogram _latency = new(TimeSpan.TicksPerMinute, 3);
    private readonly Lock _lock = new();
    private int _ends;
    private int _target = int.MaxValue;
    private TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts a phase of <paramref name="flows"/> flows; the task completes when the last of them has ended.</summary>
    public Task Expect(int flows)
    {
        _submitted.Clear();
        lock (_lock) _latency.Reset();
        _finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _target, flows * EndsPerFlow);
        Interlocked.Exchange(ref _ends, 0);
        return _finished.Task;
    }

    public void Submitted(int sequence) => _submitted[sequence] = Stopwatch.GetTimestamp();

    public void Confirmed(int sequence)
    {
        if (!_submitted.TryGetValue(sequence, out var at)) return;
        var micros = (long)Stopwatch.GetElapsedTime(at).TotalMicroseconds;
        lock (_lock) _latency.RecordValue(Math.Max(0, micros));
    }

    public void Ended()
    {
        if (Interlocked.Increment(ref _ends) == Volatile.Read(ref _target)) _finished.TrySetResult();
    }

    /// <summary>Submitted → confirmed at percentile <paramref name="p"/>, in milliseconds.</summary>
    public double LatencyMs(double p)
    {
        lock (_lock) return _latency.TotalCount == 0 ? double.NaN : _latency.GetValueAtPercentile(p) / 1000.0;
    }
}
