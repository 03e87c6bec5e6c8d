using MassTransit;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.Storage;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.ConsumerOutbox;

/// <summary>The consumer outbox + inbox: one business effect per message, its messages published once, all or nothing.</summary>
public sealed class ConsumerOutboxSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private const string RecordQueue = "record-entry";
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("consumeroutbox");
        await MigrationSchema.CreateAsync(_db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<MessagingTestHost> StartHost(Deliveries? deliveries = null) =>
        MessagingTestHost.StartAsync(environment, _db, bus =>
        {
            bus.AddConsumer<RecordEntryConsumer>();
            bus.AddConsumer<EntryRecordedConsumer>();
            // Retry wraps the outbox (registered before it): each attempt is a fresh transaction.
            bus.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.UseMessageRetry(r => r.Immediate(2)));
        }, deliveries: deliveries);

    private static async Task Send(MessagingTestHost host, RecordEntry message, Guid messageId)
    {
        var endpoint = await host.Bus.GetSendEndpoint(host.QueueAddress(RecordQueue));
        await endpoint.Send(message, ctx => ctx.MessageId = messageId);
    }

    private static Task<int> LedgerCount(MessagingTestHost host, Guid entryId) =>
        host.QueryAsync(db => db.Ledger.CountAsync(l => l.EntryId == entryId));

    private static Task<int> InboxReceiveCount(MessagingTestHost host, Guid messageId) =>
        host.QueryAsync(db => db.Set<InboxState>().Where(i => i.MessageId == messageId).SumAsync(i => i.ReceiveCount));

    [Fact]
    public async Task Same_message_delivered_twice_has_one_effect_and_publishes_once()
    {
        await using var host = await StartHost();
        var entry = Guid.NewGuid();
        var messageId = NewId.NextGuid();

        await Send(host, new RecordEntry(entry), messageId);
        await Eventually.True(async () => host.Deliveries.Of<EntryRecorded>(e => e.EntryId == entry).Count == 1, "the event arrives");
        await Send(host, new RecordEntry(entry), messageId);
        await Eventually.True(async () => await InboxReceiveCount(host, messageId) == 2, "the duplicate reaches the inbox");
        // A marker sent after the duplicate: once it is through, the duplicate's would-be event would be too.
        var marker = Guid.NewGuid();
        await Send(host, new RecordEntry(marker), NewId.NextGuid());
        await Eventually.True(async () => host.Deliveries.Of<EntryRecorded>(e => e.EntryId == marker).Count == 1, "the marker's event arrives");

        (await LedgerCount(host, entry)).ShouldBe(1);
        host.Deliveries.Of<RecordEntry>(m => m.EntryId == entry).Count.ShouldBe(1, "the duplicate must not reach the consumer");
        host.Deliveries.Of<EntryRecorded>(e => e.EntryId == entry).Count.ShouldBe(1);
        (await host.QueryAsync(db => db.Set<OutboxMessage>().CountAsync())).ShouldBe(0, "delivered outbox rows are removed");
    }

    [Fact]
    public async Task Same_message_delivered_concurrently_to_two_instances_has_one_effect()
    {
        var deliveries = new Deliveries(); // shared, so the hold sees both instances
        await using var first = await StartHost(deliveries);
        await using var second = await StartHost(deliveries);
        var entries = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToList();

        foreach (var entry in entries)
        {
            var messageId = NewId.NextGuid();
            await Task.WhenAll(
                Send(first, new RecordEntry(entry, HoldForDuplicate: true), messageId),
                Send(second, new RecordEntry(entry, HoldForDuplicate: true), messageId));
        }

        await Eventually.True(async () => entries.All(e => deliveries.Of<EntryRecorded>(r => r.EntryId == e).Count >= 1), "every event arrives");
        await Eventually.True(async () =>
        {
            var received = await first.QueryAsync(db => db.Set<InboxState>().SumAsync(i => i.ReceiveCount));
            return received >= entries.Count * 2;
        }, "both copies of every message reached an inbox");
        var marker = Guid.NewGuid();
        await Send(first, new RecordEntry(marker), NewId.NextGuid());
        await Eventually.True(async () => deliveries.Of<EntryRecorded>(e => e.EntryId == marker).Count == 1, "the marker's event arrives");

        foreach (var entry in entries)
        {
            deliveries.Overlapped(entry).ShouldBeFalse("two consumers ran the same message at the same time");
            (await LedgerCount(first, entry)).ShouldBe(1);
            deliveries.Of<EntryRecorded>(e => e.EntryId == entry).Count.ShouldBe(1);
        }

        (first.Raw.Count(RecordQueue) + second.Raw.Count(RecordQueue)).ShouldBeGreaterThanOrEqualTo(entries.Count * 2,
            "the broker really delivered every message twice");
        var events = first.Raw.MessageIds("entry-recorded").Concat(second.Raw.MessageIds("entry-recorded")).ToList();
        events.Distinct().Count().ShouldBe(events.Count, "each produced event was handed to the broker once");
    }

    [Fact]
    public async Task A_consumer_that_throws_after_writing_commits_and_publishes_nothing_and_the_retry_succeeds_once()
    {
        await using var host = await StartHost();
        var entry = Guid.NewGuid();

        await Send(host, new RecordEntry(entry, FailAttempts: 1), NewId.NextGuid());
        await Eventually.True(async () => host.Deliveries.Of<EntryRecorded>(e => e.EntryId == entry).Count == 1, "the event arrives");
        var marker = Guid.NewGuid();
        await Send(host, new RecordEntry(marker), NewId.NextGuid());
        await Eventually.True(async () => host.Deliveries.Of<EntryRecorded>(e => e.EntryId == marker).Count == 1, "the marker's event arrives");

        host.Deliveries.Attempts(entry).ShouldBe(2);
        (await LedgerCount(host, entry)).ShouldBe(1, "the failed attempt's write was rolled back");
        host.Deliveries.Of<EntryRecorded>(e => e.EntryId == entry).Count.ShouldBe(1, "the failed attempt's publish was discarded");
    }

    [Fact]
    public async Task A_consumer_that_always_throws_leaves_no_trace_but_the_error_queue()
    {
        await using var host = await StartHost();
        var entry = Guid.NewGuid();

        await Send(host, new RecordEntry(entry, FailAttempts: int.MaxValue), NewId.NextGuid());
        await Eventually.True(async () => (await environment.Management.GetQueueAsync(environment.VirtualHost, RecordQueue + "_error"))?.Messages >= 1,
            "the message reaches the error queue");
        var marker = Guid.NewGuid();
        await Send(host, new RecordEntry(marker), NewId.NextGuid());
        await Eventually.True(async () => host.Deliveries.Of<EntryRecorded>(e => e.EntryId == marker).Count == 1, "the marker's event arrives");

        host.Deliveries.Attempts(entry).ShouldBe(3, "one attempt and two retries");
        (await LedgerCount(host, entry)).ShouldBe(0);
        host.Deliveries.Of<EntryRecorded>(e => e.EntryId == entry).ShouldBeEmpty();
        (await host.QueryAsync(db => db.Set<OutboxMessage>().CountAsync())).ShouldBe(0);
    }
}
