using Microsoft.EntityFrameworkCore;

namespace OrderSystem.Messaging.Delivery;

/// <summary>
/// Wakes the delivery service of <typeparamref name="TDbContext"/> when this process commits rows it must deliver, and
/// says which: bus-outbox rows (deliver now) or scheduled rows (deliver when due, so the service only needs to know the
/// earliest due time). Several signals before a wake-up collapse into one; <see cref="Take"/> reads what they said.
/// </summary>
public sealed class BusOutboxNotification<TDbContext>
    where TDbContext : DbContext
{
    private readonly SemaphoreSlim _signal = new(0, 1);
    private int _outboxCommitted;
    private long _earliestDueTicks = long.MaxValue;

    /// <summary>Bus-outbox rows were committed: deliver them now.</summary>
    public void Notify()
    {
        Volatile.Write(ref _outboxCommitted, 1);
        Wake();
    }

    /// <summary>Scheduled rows were committed; the earliest of them is due at <paramref name="dueUtc"/>.</summary>
    public void NotifyScheduled(DateTime dueUtc)
    {
        var ticks = dueUtc.Ticks;
        var current = Volatile.Read(ref _earliestDueTicks);
        while (ticks < current)
        {
            var seen = Interlocked.CompareExchange(ref _earliestDueTicks, ticks, current);
            if (seen == current) break;
            current = seen;
        }

        Wake();
    }

    /// <summary>Waits for a signal or the timeout; true when signalled.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    /// <summary>
    /// What was committed since the last call: whether bus-outbox rows were, and the earliest due time of scheduled
    /// rows (null if none). A commit signalled after this call is reported by the next one.
    /// </summary>
    internal (bool OutboxCommitted, DateTime? EarliestDue) Take()
    {
        var outbox = Interlocked.Exchange(ref _outboxCommitted, 0) == 1;
        var ticks = Interlocked.Exchange(ref _earliestDueTicks, long.MaxValue);
        return (outbox, ticks == long.MaxValue ? null : new DateTime(ticks, DateTimeKind.Utc));
    }

    private void Wake()
    {
        try
        {
            if (_signal.CurrentCount == 0) _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }
}
