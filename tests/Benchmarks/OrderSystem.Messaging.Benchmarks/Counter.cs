namespace OrderSystem.Messaging.Benchmarks;

/// <summary>Replies counted so far.</summary>
public sealed class Counter
{
    private int _count;
    public int Value => Volatile.Read(ref _count);
    public void Increment() => Interlocked.Increment(ref _count);
    public void Reset() => Interlocked.Exchange(ref _count, 0);
}
