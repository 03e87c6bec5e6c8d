using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.Storage;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Delivery;

/// <summary>
/// A producer process killed between its database commits and the broker (tests/Messaging.CrashClient commits in a
/// loop with delivery off and is killed with Process.Kill mid-loop): after a restart every committed message goes out,
/// exactly once, and nothing uncommitted does.
/// </summary>
public sealed class ProcessKillSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("crash");
        await MigrationSchema.CreateAsync(_db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Every_message_committed_before_the_kill_goes_out_once_after_a_restart()
    {
        // The consumer side exists first (its queue is bound), but delivers nothing: no delivery service yet.
        await using (var consumer = await MessagingTestHost.StartAsync(environment, _db,
                         bus => bus.AddConsumer<PingConsumer, PingConsumerDefinition>(), o => o.DeliveryServiceEnabled = false))
        {
            var run = Guid.NewGuid();
            var committed = 0;
            using (var client = Process.Start(new ProcessStartInfo("dotnet")
                   {
                       ArgumentList = { CrashClient.Path(), environment.RabbitMqUri.ToString(), MessagingTestHost.Limited(_db), run.ToString() },
                       RedirectStandardOutput = true,
                       RedirectStandardError = true,
                       UseShellExecute = false,
                   })!)
            {
                while (committed < 25 && await client.StandardOutput.ReadLineAsync() is { } line)
                    if (line.StartsWith("COMMITTED ")) committed++;
                client.Kill(entireProcessTree: true); // while it keeps committing
                await client.WaitForExitAsync();
                committed.ShouldBe(25, "the client committed before it was killed: " + await client.StandardError.ReadToEndAsync());
            }

            var ledger = await consumer.QueryAsync(db => db.Ledger.CountAsync(l => l.EntryId == run));
            ledger.ShouldBeGreaterThanOrEqualTo(25, "every reported commit is in the database");
            (await consumer.QueryAsync(db => db.Set<OutboxMessage>().CountAsync())).ShouldBe(ledger, "one outbox row per committed transaction");
            consumer.Deliveries.Of<Ping>(p => p.RunId == run).ShouldBeEmpty("nothing reached the broker before the restart");

            // The restart: a host with a delivery service on the same database.
            await using var restarted = await MessagingTestHost.StartAsync(environment, _db, _ => { });
            var pings = await Eventually.Get(async () => consumer.Deliveries.Of<Ping>(p => p.RunId == run), p => p.Count >= ledger,
                "every committed message arrives");
            await Eventually.True(async () => await restarted.QueryAsync(db => db.Set<OutboxState>().CountAsync()) == 0, "the outbox drains");

            pings.Count.ShouldBe(ledger, "none twice");
            pings.Select(p => p.Sequence).Distinct().Count().ShouldBe(ledger, "none lost");
            var raw = consumer.Raw.MessageIds("ping");
            raw.Distinct().Count().ShouldBe(raw.Count, "the broker got each message id once");
        }
    }
}
