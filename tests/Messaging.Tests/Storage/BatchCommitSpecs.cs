using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using OrderSystem.Messaging.Storage;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Storage;

/// <summary>
/// What ending a transaction with the <c>COMMIT</c> in its last batch (<see cref="BatchCommit"/>, how a consuming pass
/// ends) relies on in Npgsql, EF Core and PostgreSQL: checked here, so that an upgrade that changed it fails a test
/// instead of leaving transactions open or rolling committed work back.
/// </summary>
public sealed class BatchCommitSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>
{
    private async Task<(string ConnectionString, TestDbContext Db, List<string> Notices)> OpenAsync(string database)
    {
        var connectionString = await environment.CreateDatabaseAsync(database);
        await MigrationSchema.CreateAsync(connectionString);
        var db = new TestDbContext(new DbContextOptionsBuilder<TestDbContext>()
            .UseNpgsql(MessagingTestHost.Limited(connectionString)).AddInterceptors(AfterCommit.Interceptor).Options);
        await db.Database.OpenConnectionAsync();
        var notices = new List<string>();
        // A COMMIT or ROLLBACK sent when no transaction is open draws a warning: "there is no transaction in progress".
        ((NpgsqlConnection)db.Database.GetDbConnection()).Notice += (_, e) => notices.Add(e.Notice.MessageText);
        return (connectionString, db, notices);
    }

    private static NpgsqlBatch Batch(IDbContextTransaction transaction, params string[] sql)
    {
        var npgsql = (NpgsqlTransaction)transaction.GetDbTransaction();
        var batch = new NpgsqlBatch(npgsql.Connection, npgsql);
        foreach (var statement in sql) batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
        BatchCommit.AddTo(batch);
        return batch;
    }

    private static async Task<long> CountAsync(string connectionString, Guid entry)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM ledger_entry WHERE entry_id = '{entry}'", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_transaction_ended_by_its_last_batch_is_committed_and_complete_for_Npgsql_and_EF_Core()
    {
        var (connectionString, db, notices) = await OpenAsync("batchcommit");
        await using var _ = db;
        var entry = Guid.NewGuid();
        var afterCommit = 0;

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            AfterCommit.Run(db, () => afterCommit++);
            await using (var batch = Batch(transaction, $"INSERT INTO ledger_entry (entry_id, source) VALUES ('{entry}', 'batch')"))
                await batch.ExecuteNonQueryAsync();

            (await CountAsync(connectionString, entry)).ShouldBe(1, "the batch's COMMIT committed it: another connection sees it");
            afterCommit.ShouldBe(0, "EF Core did not see the commit, so nothing ran the deferred work yet");
            BatchCommit.Committed(db);
            afterCommit.ShouldBe(1);
            await Should.ThrowAsync<InvalidOperationException>(() => transaction.GetDbTransaction().CommitAsync(),
                "Npgsql follows the server's status: the transaction is complete, and a second COMMIT is refused, not sent");
        }

        db.Database.CurrentTransaction.ShouldBeNull("EF Core's transaction ended with its disposal");
        notices.ShouldBeEmpty("the disposal sent no ROLLBACK (nor anything else) for a transaction the server had ended");
        afterCommit.ShouldBe(1, "the disposal does not run the deferred work again");

        await using (var next = await db.Database.BeginTransactionAsync())
        {
            db.Ledger.Add(new LedgerEntry { EntryId = entry, Source = "next" });
            await db.SaveChangesAsync();
            await next.CommitAsync();
        }

        (await CountAsync(connectionString, entry)).ShouldBe(2, "the connection goes on with a new transaction");
        notices.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_failing_command_before_the_COMMIT_leaves_the_transaction_to_be_rolled_back()
    {
        var (connectionString, db, notices) = await OpenAsync("batchcommitfails");
        await using var _ = db;
        var entry = Guid.NewGuid();
        var afterCommit = 0;

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            AfterCommit.Run(db, () => afterCommit++);
            await using (var batch = Batch(transaction,
                             $"INSERT INTO ledger_entry (entry_id, source) VALUES ('{entry}', 'batch')",
                             "SELECT 1 / 0"))
                await Should.ThrowAsync<PostgresException>(() => batch.ExecuteNonQueryAsync());

            await transaction.RollbackAsync(); // accepted: the COMMIT was skipped and the transaction is still open
        }

        (await CountAsync(connectionString, entry)).ShouldBe(0, "the insert before the failure was rolled back");
        afterCommit.ShouldBe(0, "nothing committed, so the deferred work never runs");
        notices.ShouldBeEmpty("the ROLLBACK ended an open transaction");
    }
}
