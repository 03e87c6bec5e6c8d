using Microsoft.EntityFrameworkCore;

namespace OrderSystem.Messaging.Delivery;

/// <summary>
/// Wakes the delivery service of <typeparamref name="TDbContext"/> when this process commits bus-outbox or scheduled
/// rows, so delivery starts at once instead of at the next poll. Several signals before a wake-up collapse into one.
/// </summary>
public sealed class BusOutboxNotification<TDbContext>
    where TDbContext : DbContext
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
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

    /// <summary>Waits for a signal or the timeout; true when signalled.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
