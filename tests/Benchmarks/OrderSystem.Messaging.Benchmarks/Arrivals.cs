namespace OrderSystem.Messaging.Benchmarks;

/// <summary>Waits for one ping each and stamps its arrival (Stopwatch ticks).</summary>
public sealed class Arrivals
{
    private readonly Dictionary<int, TaskCompletionSource<long>> _waiting = [];

    public Task<long> Expect(int sequence)
    {
        var source = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiting) _waiting[sequence] = source;
        return source.Task;
    }

    public void Arrived(int sequence)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        TaskCompletionSource<long>? source;
        lock (_waiting) _waiting.Remove(sequence, out source);
        source?.TrySetResult(now);
    }
}
