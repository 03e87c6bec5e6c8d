using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Messaging.Storage;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Delivery;

/// <summary>
/// A service stopped (a deploy, a scale-in) while its bus-outbox delivery is in the middle of a backlog: the stop cuts
/// the sends short, never the bookkeeping of what was already sent. So the stop logs no error, a restart sends only
/// what had not gone out (at most the one send the stop interrupted may go again), and everything arrives.
/// </summary>
public sealed class StopMidDeliverySpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private const string PingQueue = "ping";
    private const int Stops = 6;
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("stopmiddelivery");
        await MigrationSchema.CreateAsync(_db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Stopping_the_host_mid_backlog_logs_no_error_and_resends_at_most_the_interrupted_message()
    {
        // The receiver consumes and counts raw deliveries; it never delivers the outbox itself.
        await using var receiver = await MessagingTestHost.StartAsync(environment, _db,
            bus => bus.AddConsumer<PingConsumer, PingConsumerDefinition>(), o => o.DeliveryServiceEnabled = false);
        var run = Guid.NewGuid();
        const int count = 3000;
        foreach (var chunk in Enumerable.Range(1, count).Chunk(50))
        {
            await receiver.InScopeAsync(async (scope, db) =>
            {
                var publish = scope.GetRequiredService<IPublishEndpoint>();
                foreach (var sequence in chunk) await publish.Publish(new Ping(run, sequence));
                await db.SaveChangesAsync();
            });
        }

        var errors = new List<string>();
        for (var stop = 1; stop <= Stops; stop++)
        {
            var deliverer = await MessagingTestHost.StartAsync(environment, _db, _ => { });
            var before = receiver.Raw.Count(PingQueue);
            await Eventually.True(async () => receiver.Raw.Count(PingQueue) >= before + 25, $"delivery under way before stop {stop}");
            var logs = deliverer.Logs;
            await deliverer.DisposeAsync(); // StopAsync, as a deploy's SIGTERM does
            errors.AddRange(logs.Errors());
        }

        var remaining = await receiver.QueryAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.OutboxId != null));
        remaining.ShouldBeGreaterThan(0, "the stops came in the middle of the backlog");

        await using (await MessagingTestHost.StartAsync(environment, _db, _ => { }))
        {
            await Eventually.True(async () => receiver.Deliveries.Of<Ping>(p => p.RunId == run).Select(p => p.Sequence).Distinct().Count() == count,
                "every message arrives after the last restart", TimeSpan.FromSeconds(90));
            await Eventually.True(async () => await receiver.QueryAsync(db => db.Set<OutboxState>().CountAsync()) == 0, "the outbox drains");
        }

        errors.ShouldBeEmpty("a stop is not an error");
        var ids = receiver.Raw.MessageIds(PingQueue);
        var resent = ids.Count - ids.Distinct().Count();
        resent.ShouldBeLessThanOrEqualTo(Stops,
            "only a send interrupted by a stop may go out again: what was sent before it was deleted and committed");
    }
}
