using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OrderSystem.Messaging.Tests.Delivery;

/// <summary>Counts the delivery loop's locking scans: of the bus outbox (<c>outbox_state</c>) and of due scheduled messages.</summary>
internal sealed class DeliveryScanCounter : DbCommandInterceptor
{
    private int _outbox;
    private int _scheduled;

    public int Outbox => Volatile.Read(ref _outbox);
    public int Scheduled => Volatile.Read(ref _scheduled);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Count(command.CommandText);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Count(command.CommandText);
        return result;
    }

    private void Count(string sql)
    {
        if (!sql.Contains("FOR UPDATE SKIP LOCKED", StringComparison.Ordinal)) return;
        if (sql.Contains("outbox_state", StringComparison.Ordinal)) Interlocked.Increment(ref _outbox);
        else if (sql.Contains("enqueue_time <=", StringComparison.Ordinal)) Interlocked.Increment(ref _scheduled);
    }
}
