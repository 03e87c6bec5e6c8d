namespace OrderSystem.Messaging.Benchmarks;

/// <summary>Replies counted so far; <see cref="Expect"/> gives a task that completes when a run's last reply arrives.</summary>
public sealed class Counter
{
    private int _count;
    private int _target = int.MaxValue;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts a run of <paramref name="target"/> replies from zero.</summary>
    public Task Expect(int target)
    {
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _target, target);
        Interlocked.Exchange(ref _count, 0);
        return _reached.Task;
    }

    public void Increment()
    {
        if (Interlocked.Increment(ref _count) == Volatile.Read(ref _target)) _reached.TrySetResult();
    }
}
