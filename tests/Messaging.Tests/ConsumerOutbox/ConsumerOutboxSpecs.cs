using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
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
    public async Task A_first_delivery_sends_what_it_produced_without_holding_the_inbox_row_locked()
    {
        var probe = new OpenTransactionProbe(_db);
        await using var host = await MessagingTestHost.StartAsync(environment, _db, bus =>
        {
            bus.AddConsumer<RecordEntryConsumer>();
            bus.AddConsumer<EntryRecordedConsumer>();
            bus.AddSendObserver(_ => probe);
        });
        var entry = Guid.NewGuid();

        await Send(host, new RecordEntry(entry), NewId.NextGuid());
        await Eventually.True(async () => host.Deliveries.Of<EntryRecorded>(e => e.EntryId == entry).Count == 1, "the event arrives");

        probe.Seen.ShouldNotBeEmpty("the produced EntryRecorded went through the send pipe");
        probe.Seen.ShouldAllBe(locks => locks == 0,
            "no transaction sat on a locked inbox row while the produced message waited for the broker's confirm");
        // The event can arrive before its producer's "delivered" mark commits: that mark may wait for another open pass
        // to carry it, such as the one consuming this very event (DeliveredMarks). It commits before the producer's
        // message is acknowledged.
        await Eventually.True(async () => await host.QueryAsync(db => db.Set<OutboxMessage>().CountAsync()) == 0, "delivered outbox rows are removed");
    }

    /// <summary>
    /// While an <see cref="EntryRecorded"/> is being sent, counts the sessions of the test database that sit in a
    /// transaction whose last statement locked an inbox row (<c>SELECT … FOR UPDATE</c>): the delivery pass under the lock.
    /// </summary>
    private sealed class OpenTransactionProbe(string connectionString) : ISendObserver
    {
        public System.Collections.Concurrent.ConcurrentBag<int> Seen { get; } = [];

        public async Task PreSend<T>(SendContext<T> context)
            where T : class
        {
            if (context.DestinationAddress?.AbsolutePath.Contains(nameof(EntryRecorded), StringComparison.Ordinal) != true) return;
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = @d AND state = 'idle in transaction' AND query ILIKE '%inbox_state%FOR UPDATE%'",
                connection);
            count.Parameters.AddWithValue("d", connection.Database);
            Seen.Add(Convert.ToInt32(await count.ExecuteScalarAsync()));
        }

        public Task PostSend<T>(SendContext<T> context)
            where T : class => Task.CompletedTask;

        public Task SendFault<T>(SendContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
    }

    /// <summary>
    /// A pass never goes on after a failed save (it rolls back and MassTransit retries), so EF Core's automatic savepoint
    /// around each <c>SaveChanges</c> in the pass's transaction would cost two statements and a subtransaction for nothing.
    /// </summary>
    [Fact]
    public async Task No_pass_creates_a_savepoint()
    {
        var counter = new SavepointCounter();
        await RunThroughEveryPassAsync("savepoints", o => o.AddInterceptors(counter));

        counter.Transactions.ShouldBeGreaterThanOrEqualTo(3, "the counter sees the passes' transactions: at least the delivery pass and two consuming passes");
        counter.Savepoints.ShouldBe(0);
    }

    /// <summary>
    /// <c>SaveChanges</c> scans every tracked entity for changed properties; the building block asks the change tracker
    /// about its own rows on every save and every saga pass, and a second scan there bought nothing (its rows' Added
    /// state is set by <c>Add</c>) while it cost about 1 ms of CPU per order over the services (docs/performance.md).
    /// </summary>
    [Fact]
    public async Task The_passes_scan_for_changes_only_inside_SaveChanges()
    {
        var counter = new ChangeScanCounter();
        await RunThroughEveryPassAsync("changescans", counter.AttachTo);

        counter.Saves.ShouldBeGreaterThanOrEqualTo(4, "the counter sees the saves: the bus outbox's, the delivery pass's and the two consuming passes'");
        counter.Scans.ShouldBeLessThanOrEqualTo(counter.Saves, "one scan per SaveChanges, its own");
    }

    /// <summary>
    /// One <see cref="RecordEntry"/> through every kind of pass, in a database of its own (the caller counts what the
    /// passes did; <paramref name="database"/> adds its counter to the DbContext options): the bus outbox's save, the
    /// delivery pass, and the consuming passes of RecordEntry (it writes a ledger row and produces EntryRecorded) and of
    /// EntryRecorded.
    /// </summary>
    private async Task RunThroughEveryPassAsync(string name, Action<DbContextOptionsBuilder> database)
    {
        var connectionString = await environment.CreateDatabaseAsync(name);
        await MigrationSchema.CreateAsync(connectionString);
        await using var host = await MessagingTestHost.StartAsync(environment, connectionString, bus =>
        {
            bus.AddConsumer<RecordEntryConsumer>();
            bus.AddConsumer<EntryRecordedConsumer>();
        }, database: database);
        var entry = Guid.NewGuid();

        await host.InScopeAsync(async (scope, db) =>
        {
            var endpoint = await scope.GetRequiredService<ISendEndpointProvider>().GetSendEndpoint(host.QueueAddress(RecordQueue));
            await endpoint.Send(new RecordEntry(entry));
            await db.SaveChangesAsync();
        });
        await Eventually.True(async () => host.Deliveries.Of<EntryRecorded>(e => e.EntryId == entry).Count == 1, "the event arrives");
        await Eventually.True(async () => await host.QueryAsync(db => db.Set<InboxState>().CountAsync(i => i.Delivered != null)) == 2,
            "both consuming passes to complete");
        await Eventually.True(async () => await host.QueryAsync(db => db.Set<OutboxState>().CountAsync()) == 0, "the delivery pass to complete");
        (await LedgerCount(host, entry)).ShouldBe(1);
    }

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
        // The event can arrive before its producer's "delivered" mark commits: that mark may wait for another open pass
        // to carry it, such as the one consuming this very event (DeliveredMarks). It commits before the producer's
        // message is acknowledged.
        await Eventually.True(async () => await host.QueryAsync(db => db.Set<OutboxMessage>().CountAsync()) == 0, "delivered outbox rows are removed");
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
        // The copy that consumed a message sends its event without holding the inbox row (docs/messaging.md, step 4), so
        // a concurrent duplicate that finds it consumed but not yet delivered may send the same stored row too: at most
        // once per copy, always with the same message id, and the receiver's inbox runs it once (checked above).
        events.GroupBy(id => id).ShouldAllBe(sent => sent.Count() <= 2, "each copy hands a produced event to the broker at most once");
        events.Distinct().Count().ShouldBe(entries.Count + 1, "every copy of an event carries the stored row's message id (the marker's too)");
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
        // The marker's own row goes once its "delivered" mark commits, which may follow its event's arrival; the failed
        // entry's rows, had any been committed, would never go.
        await Eventually.True(async () => await host.QueryAsync(db => db.Set<OutboxMessage>().CountAsync()) == 0, "no outbox row is left");
    }
}
