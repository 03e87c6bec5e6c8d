using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OrderSystem.FailureHandling.Tests.Support;

/// <summary>Counts the service's failed attempts to open a database connection (what an outage looks like from inside).</summary>
public sealed class ConnectionFailures : DbConnectionInterceptor
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public override void ConnectionFailed(DbConnection connection, ConnectionErrorEventData eventData) => Interlocked.Increment(ref _count);

    public override Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _count);
        return Task.CompletedTask;
    }
}
