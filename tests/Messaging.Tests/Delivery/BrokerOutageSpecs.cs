using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrderSystem.Messaging.Storage;
using OrderSystem.Messaging.Tests.ConsumerOutbox;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Faults;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Delivery;

/// <summary>
/// RabbitMQ becomes unreachable (a TCP proxy drops every connection) while the bus-outbox delivery service is in the
/// middle of a backlog: what was sent but not confirmed is sent again, what was not sent waits; when the broker is back,
/// delivery resumes by itself, every message arrives, the outbox drains, and the consumers' inbox keeps every effect single.
/// </summary>
public sealed class BrokerOutageSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("brokeroutage");
        await MigrationSchema.CreateAsync(_db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Delivery_cut_off_from_the_broker_mid_backlog_resumes_by_itself_and_loses_and_doubles_nothing()
    {
        await using var proxy = TcpProxy.Start(environment.RabbitMqUri.Host, environment.RabbitMqUri.Port);
        var throughProxy = new UriBuilder(environment.RabbitMqUri) { Host = "127.0.0.1", Port = proxy.Port }.Uri;

        // The consumers and the writer reach the broker directly; only the delivery service goes through the proxy.
        await using var consumer = await MessagingTestHost.StartAsync(environment, _db, bus =>
        {
            bus.AddConsumer<RecordEntryConsumer>();
            bus.AddConsumer<EntryRecordedConsumer>();
        }, o => o.DeliveryServiceEnabled = false);
        await using var deliverer = await MessagingTestHost.StartAsync(environment, _db, _ => { }, broker: throughProxy);

        var entries = Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid()).ToList();
        foreach (var chunk in entries.Chunk(20))
        {
            await consumer.InScopeAsync(async (scope, db) =>
            {
                var endpoint = await scope.GetRequiredService<ISendEndpointProvider>().GetSendEndpoint(new Uri("queue:record-entry"));
                foreach (var entry in chunk) await endpoint.Send(new RecordEntry(entry));
                await db.SaveChangesAsync();
            });
        }

        await Eventually.True(async () => consumer.Deliveries.Of<RecordEntry>().Count >= 20, "delivery is under way");
        proxy.Disconnect();
        var pending = await consumer.QueryAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.OutboxId != null));
        pending.ShouldBeGreaterThan(0, "the broker went away in the middle of the backlog");
        var health = deliverer.Services.GetRequiredService<HealthCheckService>();
        await Eventually.True(async () => (await health.CheckHealthAsync()).Status == HealthStatus.Unhealthy, "the deliverer sees the broker gone");
        var stalled = await consumer.QueryAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.OutboxId != null));
        stalled.ShouldBeGreaterThan(0, "messages are still waiting in the outbox during the outage");

        proxy.Reconnect();
        await Eventually.True(async () => entries.All(e => consumer.Deliveries.Of<EntryRecorded>(r => r.EntryId == e).Count >= 1),
            "every message is eventually delivered and consumed", TimeSpan.FromSeconds(90));
        await Eventually.True(async () => await consumer.QueryAsync(db => db.Set<OutboxState>().CountAsync()) == 0, "the outbox drains");

        var ledger = await consumer.QueryAsync(db => db.Ledger.GroupBy(l => l.EntryId).Select(g => g.Count()).ToListAsync());
        ledger.Count.ShouldBe(entries.Count, "no message lost");
        ledger.ShouldAllBe(n => n == 1, "no effect twice");
        await Eventually.True(async () => (await health.CheckHealthAsync()).Status == HealthStatus.Healthy, "the deliverer reports the broker back");
    }
}
