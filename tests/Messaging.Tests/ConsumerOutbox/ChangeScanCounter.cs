using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OrderSystem.Messaging.Tests.ConsumerOutbox;

/// <summary>
/// Counts, from EF Core's own events, the <c>SaveChanges</c> calls on a context and its full scans of the tracked
/// entities for changed properties (<c>DetectChanges</c>; every <c>SaveChanges</c> makes one itself).
/// </summary>
internal sealed class ChangeScanCounter
{
    private int _saves;
    private int _scans;

    public int Saves => Volatile.Read(ref _saves);
    public int Scans => Volatile.Read(ref _scans);

    public void AttachTo(DbContextOptionsBuilder options) =>
        options.LogTo(
            (id, _) => id == CoreEventId.SaveChangesStarting || id == CoreEventId.DetectChangesStarting,
            data => Interlocked.Increment(ref data.EventId == CoreEventId.SaveChangesStarting ? ref _saves : ref _scans));
}
