using Microsoft.EntityFrameworkCore;
using OrderSystem.Ordering.Persistence;
using OrderSystem.Testing.Infrastructure;

namespace OrderSystem.Observability.Tests;

/// <summary>
/// What keeps the order metrics from counting a retried saga pass twice: work deferred with <see cref="AfterCommit"/>
/// runs once the transaction commits, never after a rollback (the failed attempt of a retried message).
/// </summary>
public class AfterCommit_Specs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>
{
    [Fact]
    public async Task Should_run_deferred_work_only_when_the_transaction_commits()
    {
        var connectionString = await environment.CreateDatabaseAsync("orderdb");
        await using var db = new OrderingDbContext(new DbContextOptionsBuilder<OrderingDbContext>().UseNpgsql(connectionString).Options);
        var runs = new List<string>();

        await using (var failed = await db.Database.BeginTransactionAsync())
        {
            AfterCommit.Run(db, () => runs.Add("rolled back"));
            runs.ShouldBeEmpty(); // deferred while the transaction is open
            await failed.RollbackAsync();
        }

        await using (var retried = await db.Database.BeginTransactionAsync())
        {
            AfterCommit.Run(db, () => runs.Add("committed"));
            runs.ShouldBeEmpty();
            await retried.CommitAsync();
        }

        AfterCommit.Run(db, () => runs.Add("no transaction")); // nothing to wait for: at once
        runs.ShouldBe(["committed", "no transaction"]);
    }
}
