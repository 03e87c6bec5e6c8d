using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace OrderSystem.Messaging.Storage;

/// <summary>
/// The transaction of one of the messaging block's passes (a consuming pass, a saga pass, a delivery pass).
/// </summary>
internal static class PassTransactions
{
    /// <summary>
    /// Begins a READ COMMITTED transaction with EF Core's automatic savepoints off for the context. By default,
    /// <c>SaveChanges</c> inside a transaction it did not begin wraps its batch in <c>SAVEPOINT "__EFSavePoint"</c> …
    /// <c>RELEASE SAVEPOINT</c>, so that a failed save leaves the transaction usable. A pass never goes on after a failed
    /// save: it rolls the whole transaction back and MassTransit retries. So the savepoint bought nothing, and cost two
    /// statements and a PostgreSQL subtransaction on every save (counted with <c>log_statement = all</c>: one pair per
    /// consumed message; docs/performance.md). The pooled context's setting is reset when it returns to the pool.
    /// </summary>
    public static Task<IDbContextTransaction> BeginPassTransactionAsync(this DatabaseFacade database, CancellationToken cancellationToken)
    {
        database.AutoSavepointsEnabled = false;
        return database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
    }

    /// <summary>
    /// The pass's open transaction as Npgsql's, for the building block's own statements that go to Npgsql directly on
    /// its connection (its <see cref="NpgsqlTransaction.Connection"/>).
    /// </summary>
    public static NpgsqlTransaction PassTransaction(this DatabaseFacade database) =>
        (NpgsqlTransaction)(database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("The messaging building block's statements run in the pass's transaction, and none is open."));
}
