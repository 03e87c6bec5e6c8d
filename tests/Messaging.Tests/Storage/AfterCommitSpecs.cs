using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.Storage;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Storage;

/// <summary>
/// What keeps a retried pass from leaving its effects twice (the order metrics, the delivery wake-up): work deferred with
/// <see cref="AfterCommit"/> runs once the transaction commits, never after a rollback (the failed attempt of a retried message).
/// </summary>
public sealed class AfterCommitSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>
{
    [Fact]
    public async Task Deferred_work_runs_only_when_the_transaction_commits()
    {
        var connectionString = await environment.CreateDatabaseAsync("aftercommit");
        await using var db = new TestDbContext(new DbContextOptionsBuilder<TestDbContext>()
            .UseNpgsql(MessagingTestHost.Limited(connectionString)).AddInterceptors(AfterCommit.Interceptor).Options);
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
