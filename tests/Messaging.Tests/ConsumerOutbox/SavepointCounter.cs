using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OrderSystem.Messaging.Tests.ConsumerOutbox;

/// <summary>Counts the transactions EF Core begins on a context and the savepoints it creates in them.</summary>
internal sealed class SavepointCounter : DbTransactionInterceptor
{
    private int _transactions;
    private int _savepoints;

    public int Transactions => Volatile.Read(ref _transactions);
    public int Savepoints => Volatile.Read(ref _savepoints);

    public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Started(result));

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
        => Started(result);

    public override ValueTask<InterceptionResult> CreatingSavepointAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result,
        CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Creating(result));

    public override InterceptionResult CreatingSavepoint(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
        => Creating(result);

    private DbTransaction Started(DbTransaction transaction)
    {
        Interlocked.Increment(ref _transactions);
        return transaction;
    }

    private InterceptionResult Creating(InterceptionResult result)
    {
        Interlocked.Increment(ref _savepoints);
        return result;
    }
}
