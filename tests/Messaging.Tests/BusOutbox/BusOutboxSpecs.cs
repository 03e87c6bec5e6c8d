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

namespace OrderSystem.Messaging.Tests.BusOutbox;

/// <summary>
/// The bus outbox, i.e. publishing from code outside a consumer (an HTTP handler): messages exist only once the
/// caller's transaction commits, go out in the order they were published, and exactly once with several delivery
/// services on one database.
/// </summary>
public sealed class BusOutboxSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private const string PingQueue = "ping";
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("busoutbox");
        await MigrationSchema.CreateAsync(_db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<MessagingTestHost> StartHost(bool consumer = true, bool delivery = true) =>
        MessagingTestHost.StartAsync(environment, _db, bus =>
        {
            if (consumer) bus.AddConsumer<PingConsumer, PingConsumerDefinition>();
        }, o => o.DeliveryServiceEnabled = delivery);

    private static async Task Publish(IServiceProvider scope, Guid run, params int[] sequences)
    {
        var publish = scope.GetRequiredService<IPublishEndpoint>();
        foreach (var sequence in sequences) await publish.Publish(new Ping(run, sequence));
    }

    [Fact]
    public async Task A_rolled_back_transaction_publishes_nothing_and_a_committed_one_publishes_everything_in_order()
    {
        await using var host = await StartHost();
        var rolledBack = Guid.NewGuid();
        var unsaved = Guid.NewGuid();
        var committed = Guid.NewGuid();

        await host.InScopeAsync(async (scope, db) =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Ledger.Add(new LedgerEntry { EntryId = rolledBack, Source = "http" });
            await Publish(scope, rolledBack, 1, 2, 3);
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        });
        await host.InScopeAsync(async (scope, _) => await Publish(scope, unsaved, 1, 2)); // no SaveChanges
        await host.InScopeAsync(async (scope, db) =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Ledger.Add(new LedgerEntry { EntryId = committed, Source = "http" });
            await Publish(scope, committed, Enumerable.Range(1, 10).ToArray());
            await db.SaveChangesAsync();
            await Publish(scope, committed, Enumerable.Range(11, 10).ToArray()); // same transaction, second save
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        });

        var received = await Eventually.Get(async () => host.Deliveries.Of<Ping>(p => p.RunId == committed), r => r.Count >= 20,
            "the committed messages arrive");
        received.Select(p => p.Sequence).ShouldBe(Enumerable.Range(1, 20), "published order");
        host.Deliveries.Of<Ping>(p => p.RunId == rolledBack || p.RunId == unsaved).ShouldBeEmpty();
        (await host.QueryAsync(db => db.Set<OutboxMessage>().CountAsync())).ShouldBe(0, "nothing left: the rolled-back rows never existed");
        (await host.QueryAsync(db => db.Set<OutboxState>().CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task Without_a_delivery_service_committed_messages_wait_in_the_database()
    {
        await using var host = await StartHost(delivery: false);
        var run = Guid.NewGuid();

        await host.InScopeAsync(async (scope, db) =>
        {
            await Publish(scope, run, 1, 2);
            await db.SaveChangesAsync();
        });

        (await host.QueryAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.OutboxId != null))).ShouldBe(2);
        (await host.QueryAsync(db => db.Set<OutboxState>().CountAsync())).ShouldBe(1, "one outbox per transaction");

        // Another instance with a delivery service picks them up.
        await using var deliverer = await StartHost(consumer: false);
        await Eventually.True(async () => host.Deliveries.Of<Ping>(p => p.RunId == run).Count == 2, "the messages arrive");
    }

    [Fact]
    public async Task Two_delivery_services_on_one_database_send_each_message_once()
    {
        await using var consumer = await StartHost(delivery: false);
        await using var writer = await StartHost(consumer: false, delivery: false);
        var run = Guid.NewGuid();
        const int transactions = 60;
        const int perTransaction = 5;

        // Committed while nobody delivers, so that both services start on the same backlog.
        for (var t = 0; t < transactions; t++)
        {
            var first = t * perTransaction;
            await writer.InScopeAsync(async (scope, db) =>
            {
                await Publish(scope, run, Enumerable.Range(first, perTransaction).ToArray());
                await db.SaveChangesAsync();
            });
        }

        await using var deliveryA = await StartHost(consumer: false);
        await using var deliveryB = await StartHost(consumer: false);

        const int total = transactions * perTransaction;
        await Eventually.True(async () => consumer.Deliveries.Of<Ping>(p => p.RunId == run).Count >= total, "every message arrives");
        await Eventually.True(async () => await consumer.QueryAsync(db => db.Set<OutboxState>().CountAsync()) == 0, "the outbox drains");
        var marker = Guid.NewGuid();
        await writer.InScopeAsync(async (scope, db) =>
        {
            await Publish(scope, marker, 0);
            await db.SaveChangesAsync();
        });
        await Eventually.True(async () => consumer.Deliveries.Of<Ping>(p => p.RunId == marker).Count == 1, "the marker arrives");

        var pings = consumer.Deliveries.Of<Ping>(p => p.RunId == run);
        pings.Count.ShouldBe(total, "no message sent twice");
        pings.Select(p => p.Sequence).Distinct().Count().ShouldBe(total, "no message lost");
        var raw = consumer.Raw.MessageIds(PingQueue);
        raw.Count.ShouldBe(raw.Distinct().Count(), "the broker never delivered a message id twice");
    }
}
