using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrderSystem.Messaging.Diagnostics;
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
/// PostgreSQL becomes unreachable (a TCP proxy drops every connection) while the delivery service works through a
/// backlog: it logs and backs off instead of hammering, then resumes on its own when the database is back; no message
/// is lost, and the consumers' inbox keeps every effect single.
/// </summary>
public sealed class DatabaseOutageSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("outage");
        await MigrationSchema.CreateAsync(_db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static readonly System.Text.RegularExpressions.Regex AttemptNumber = new(@"failed \(attempt (\d+)\)");

    [Fact]
    public async Task Delivery_resumes_by_itself_after_the_database_comes_back_and_loses_nothing()
    {
        var server = new NpgsqlConnectionStringBuilder(_db);
        await using var proxy = TcpProxy.Start(server.Host!, server.Port);
        var throughProxy = new NpgsqlConnectionStringBuilder(_db) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 3 }.ConnectionString;

        // The consumer and the writer use the database directly; only the delivery service goes through the proxy.
        await using var consumer = await MessagingTestHost.StartAsync(environment, _db, bus =>
        {
            bus.AddConsumer<RecordEntryConsumer>();
            bus.AddConsumer<EntryRecordedConsumer>();
        }, o => o.DeliveryServiceEnabled = false);
        await using var deliverer = await MessagingTestHost.StartAsync(environment, throughProxy, _ => { });

        // Let the delivery service finish a first round through the proxy, so its pooled connections exist (and are
        // cut by Disconnect) instead of being opened at the very moment of the cut.
        var metricsKey = MessagingTelemetry.Key(nameof(TestDbContext), server.Database!);
        await Eventually.True(async () => MessagingTelemetry.Latest(metricsKey) is not null, "the delivery service completes a round");

        var entries = Enumerable.Range(0, 200).Select(_ => Guid.NewGuid()).ToList();
        proxy.Disconnect();
        await Eventually.True(async () => deliverer.Logs.Warnings("BusOutboxDeliveryService").Count >= 1, "the delivery service notices the outage");
        foreach (var chunk in entries.Chunk(20))
        {
            await consumer.InScopeAsync(async (scope, db) =>
            {
                var endpoint = await scope.GetRequiredService<ISendEndpointProvider>().GetSendEndpoint(new Uri("queue:record-entry"));
                foreach (var entry in chunk) await endpoint.Send(new RecordEntry(entry));
                await db.SaveChangesAsync();
            });
        }

        await Eventually.True(async () => deliverer.Logs.Warnings("BusOutboxDeliveryService").Count >= 3, "it keeps failing, backing off");
        consumer.Deliveries.Of<RecordEntry>().ShouldBeEmpty("nothing can be delivered while the database is unreachable");

        proxy.Reconnect();
        await Eventually.True(async () => consumer.Deliveries.Of<RecordEntry>().Count >= 20, "delivery resumes");
        var warningsBefore = deliverer.Logs.Warnings("BusOutboxDeliveryService").Count;
        proxy.Disconnect(); // and once more in the middle of the backlog
        await Eventually.True(async () => deliverer.Logs.Warnings("BusOutboxDeliveryService").Count > warningsBefore, "the second outage is noticed");
        proxy.Reconnect();

        await Eventually.True(async () => entries.All(e => consumer.Deliveries.Of<EntryRecorded>(r => r.EntryId == e).Count >= 1),
            "every message is eventually delivered and consumed", TimeSpan.FromSeconds(60));
        await Eventually.True(async () => await consumer.QueryAsync(db => db.Set<OutboxState>().CountAsync()) == 0, "the outbox drains");

        var ledger = await consumer.QueryAsync(db => db.Ledger.GroupBy(l => l.EntryId).Select(g => g.Count()).ToListAsync());
        ledger.Count.ShouldBe(entries.Count, "no message lost");
        ledger.ShouldAllBe(n => n == 1, "no effect twice");
        // Backing off, not hammering: each failed attempt k is followed by a pause of at least QueryDelay × 2^(k−1), capped
        // at MaxDeliveryBackoff (the test host's 200 ms and 1 s), before attempt k+1. A lower bound on time between
        // attempts, so a slow, loaded machine cannot make it fail; a loop that retried at once would.
        var attempts = deliverer.Logs.WarningsWithTime("BusOutboxDeliveryService")
            .Select(w => (w.At, Match: AttemptNumber.Match(w.Message)))
            .Where(w => w.Match.Success)
            .Select(w => (w.At, Attempt: int.Parse(w.Match.Groups[1].Value)))
            .ToList();
        attempts.Count.ShouldBeGreaterThanOrEqualTo(4, "both outages were seen as failed attempts");
        var retries = attempts.Zip(attempts.Skip(1)).Where(p => p.Second.Attempt == p.First.Attempt + 1).ToList();
        retries.ShouldNotBeEmpty();
        foreach (var (first, second) in retries)
        {
            var backoff = TimeSpan.FromMilliseconds(Math.Min(1000, 200 * Math.Pow(2, first.Attempt - 1)));
            (second.At - first.At).ShouldBeGreaterThanOrEqualTo(backoff - TimeSpan.FromMilliseconds(20),
                $"attempt {second.Attempt} came too soon after attempt {first.Attempt}");
        }
    }
}
