using System.Data.Common;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.CrashClient;

/// <summary>
/// Kills this process (SIGKILL, no clean-up) the moment a transaction that wrote outbox rows has committed: the
/// consumer's effect, its outbox rows and "consumed" are in the database, nothing has gone to the broker, and the broker
/// still holds the delivery unacknowledged.
/// </summary>
public sealed class KillAfterOutboxCommit : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, object> _wroteOutboxRows = new();

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && db.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added))
            _wroteOutboxRows.AddOrUpdate(db, true);
        return ValueTask.FromResult(result);
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && _wroteOutboxRows.TryGetValue(db, out _))
        {
            Console.WriteLine("KILLED AFTER COMMIT");
            Console.Out.Flush();
            Process.GetCurrentProcess().Kill();
        }
        return Task.CompletedTask;
    }
}
