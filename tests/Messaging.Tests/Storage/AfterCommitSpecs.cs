using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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

    [Fact]
    public async Task Work_of_a_transaction_that_ended_without_commit_or_rollback_never_runs_on_a_pooled_context_next_commit()
    {
        var connectionString = await environment.CreateDatabaseAsync("aftercommitpool");
        await using var services = new ServiceCollection()
            .AddDbContextPool<TestDbContext>(o => o.UseNpgsql(MessagingTestHost.Limited(connectionString)).AddInterceptors(AfterCommit.Interceptor), poolSize: 1)
            .BuildServiceProvider();
        var runs = new List<string>();
        TestDbContext first;

        await using (var scope = services.CreateAsyncScope())
        {
            first = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            // A failed attempt whose transaction is only disposed (an exception unwinding `await using`): no rollback event.
            await using (await first.Database.BeginTransactionAsync())
            {
                AfterCommit.Run(first, () => runs.Add("abandoned"));
            }
        }

        await using (var scope = services.CreateAsyncScope())
        {
            var next = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            next.ShouldBeSameAs(first); // the pool handed out the same instance: the next message's context
            await using var transaction = await next.Database.BeginTransactionAsync();
            AfterCommit.Run(next, () => runs.Add("committed"));
            await transaction.CommitAsync();
        }

        runs.ShouldBe(["committed"]);
    }

    [Fact]
    public async Task A_commit_without_deferred_work_of_its_own_runs_nothing_left_by_an_abandoned_transaction()
    {
        var connectionString = await environment.CreateDatabaseAsync("aftercommitleft");
        await using var db = new TestDbContext(new DbContextOptionsBuilder<TestDbContext>()
            .UseNpgsql(MessagingTestHost.Limited(connectionString)).AddInterceptors(AfterCommit.Interceptor).Options);
        var runs = new List<string>();

        await using (await db.Database.BeginTransactionAsync())
        {
            AfterCommit.Run(db, () => runs.Add("abandoned"));
        }

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await transaction.CommitAsync();
        }

        runs.ShouldBeEmpty();
    }
}
