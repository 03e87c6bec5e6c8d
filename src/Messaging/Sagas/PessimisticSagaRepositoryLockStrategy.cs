using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OrderSystem.Messaging.ConsumerOutbox;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.Sagas;

/// <summary>
/// Row locks. An existing instance is read with <c>SELECT …, xmin … FOR UPDATE</c>: a second message for the same
/// instance waits at that statement until the first one's transaction ends, then reads the committed row (READ
/// COMMITTED takes a fresh snapshot per statement). A missing row cannot be locked, so before concluding "missing" the
/// strategy takes a transaction-scoped advisory lock on (saga table, correlation id) and reads again: concurrent first
/// events for one id queue on that lock, and each one after the first finds the row its predecessor committed. Result:
/// no lost update and no duplicate-key failure between writers, without any message retry.
/// </summary>
internal sealed class PessimisticSagaRepositoryLockStrategy<TSaga> : SagaRepositoryLockStrategy<TSaga>
    where TSaga : class, ISaga, ISagaRowVersion
{
    public override ConcurrencyMode Mode => ConcurrencyMode.Pessimistic;

    public override async Task<TSaga?> Load(DbContext db, Guid correlationId, InboxInsert? carried, CancellationToken cancellationToken)
    {
        var sql = SagaTableSql.For<TSaga>(db);
        var instance = await SelectForUpdate(db, sql, correlationId, carried, cancellationToken);
        if (instance is not null) return instance;

        // Missing: a predecessor may be creating it. Only after its creation lock is ours is "still missing" true.
        return await LockCreationAndProbe(db, sql, correlationId, cancellationToken)
            ? await SelectForUpdate(db, sql, correlationId, null, cancellationToken) // created meanwhile: load it
            : null;
    }

    public override async Task<IReadOnlyList<TSaga>> Load(DbContext db, ISagaQuery<TSaga> query, CancellationToken cancellationToken)
    {
        // Find the candidates without locking, then lock them by key in key order, then keep those that still match:
        // a row may have changed between the two statements.
        var ids = await db.Set<TSaga>().AsNoTracking()
            .Where(query.FilterExpression)
            .Select(x => x.CorrelationId)
            .ToListAsync(cancellationToken);
        if (ids.Count == 0) return [];

        var sql = SagaTableSql.For<TSaga>(db);
        var locked = await db.Set<TSaga>()
            .FromSqlRaw(sql.SelectForUpdateByIds, new object[] { ids.ToArray() })
            .AsTracking()
            .ToListAsync(cancellationToken);

        var filter = query.GetFilter();
        return locked.Where(filter).ToList();
    }

    public override Task BeforeInsert(DbContext db, Guid correlationId, CancellationToken cancellationToken) =>
        LockCreation(db, SagaTableSql.For<TSaga>(db), correlationId, cancellationToken);

    /// <summary>
    /// The instance, locked. Where the mapping allows (<see cref="SagaRowReader"/>) the statement goes to Npgsql directly,
    /// behind the message's inbox insert if that is still to run: one round trip for both, and no EF Core query pipeline
    /// for a statement it cannot compile anyway. Otherwise the insert runs first and EF Core loads the instance.
    /// </summary>
    private static async Task<TSaga?> SelectForUpdate(DbContext db, SagaTableSql sql, Guid correlationId, InboxInsert? carried, CancellationToken cancellationToken)
    {
        var transaction = db.Database.PassTransaction();
        if (SagaRowLayout.For(db, typeof(TSaga)) is { Readable: true } layout)
        {
            var insert = carried is { Pending: true } ? carried : null;
            await using var batch = new NpgsqlBatch(transaction.Connection, transaction);
            if (insert is not null) batch.BatchCommands.Add(insert.Command());
            batch.BatchCommands.Add(SagaRowReader.SelectForUpdate(layout, correlationId));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            if (insert is not null)
            {
                await insert.CompleteAsync(reader, cancellationToken);
                await reader.NextResultAsync(cancellationToken);
            }

            return await reader.ReadAsync(cancellationToken) ? SagaRowReader.Attach<TSaga>(db, layout, reader) : null;
        }

        if (carried is not null) await carried.RunIfPendingAsync(transaction, cancellationToken);

        // No LINQ operator on top: EF would wrap the statement in a sub-select.
        var rows = await db.Set<TSaga>()
            .FromSqlRaw(sql.SelectForUpdateById, correlationId)
            .AsTracking()
            .ToListAsync(cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>
    /// Takes the creation lock and then asks whether the instance exists, in one round trip (a batch of two statements:
    /// under READ COMMITTED the second reads with a snapshot taken after the first has waited for the lock, so it sees a
    /// predecessor's committed insert). Most first events find nothing, and the row is loaded only when it is there.
    /// </summary>
    private static async Task<bool> LockCreationAndProbe(DbContext db, SagaTableSql sql, Guid correlationId, CancellationToken cancellationToken)
    {
        var transaction = db.Database.PassTransaction();
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1, $2)")
                {
                    Parameters = { new NpgsqlParameter<int> { TypedValue = sql.LockSpace }, new NpgsqlParameter<int> { TypedValue = SagaTableSql.LockKey(correlationId) } },
                },
                new NpgsqlBatchCommand(sql.ExistsById) { Parameters = { new NpgsqlParameter<Guid> { TypedValue = correlationId } } },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken); // past the lock's (void) row
        return await reader.ReadAsync(cancellationToken);
    }

    private static Task LockCreation(DbContext db, SagaTableSql sql, Guid correlationId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync(
            "SELECT pg_advisory_xact_lock({0}, {1})",
            [sql.LockSpace, SagaTableSql.LockKey(correlationId)],
            cancellationToken);
}
