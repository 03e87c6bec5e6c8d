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

/// <summary>
/// A consumer process killed between its commit and the delivery of what it published (tests/Messaging.CrashClient in
/// "consume" mode kills itself with SIGKILL the moment the transaction holding its effect, its outbox rows and
/// "consumed" commits): the broker redelivers the unacknowledged message to the restarted process, whose inbox sees it
/// consumed and sends the stored outbox rows. The effect happens once, the published message goes out once.
/// </summary>
public sealed class ConsumerOutboxCrashSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("consumercrash");
        await MigrationSchema.CreateAsync(_db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_consumer_killed_after_its_commit_and_before_delivery_delivers_once_after_a_restart_and_does_not_run_again()
    {
        // The observer consumes what the crashing consumer publishes; it runs in this process, directly on the broker.
        await using var observer = await MessagingTestHost.StartAsync(environment, _db, bus => bus.AddConsumer<EntryRecordedConsumer>());
        var entry = Guid.NewGuid();
        var messageId = NewId.NextGuid();

        using (var crashing = CrashClient.Start("consume", environment.RabbitMqUri.ToString(), MessagingTestHost.Limited(_db), "kill-after-commit"))
        {
            try
            {
                (await CrashClient.WaitForLineAsync(crashing, "STARTED", TimeSpan.FromSeconds(60))).ShouldBeTrue("the consumer process started");
                var endpoint = await observer.Bus.GetSendEndpoint(new Uri("queue:crash-record-entry"));
                await endpoint.Send(new RecordEntry(entry), context => context.MessageId = messageId);
                (await CrashClient.WaitForLineAsync(crashing, "KILLED AFTER COMMIT", TimeSpan.FromSeconds(60))).ShouldBeTrue("the consumer killed itself after its commit");
                await crashing.WaitForExitAsync();
            }
            finally
            {
                if (!crashing.HasExited) crashing.Kill(entireProcessTree: true);
            }
        }

        // The state the kill left: effect, outbox row and "consumed" committed; nothing delivered, nothing on the broker.
        var inbox = await observer.QueryAsync(db => db.Set<InboxState>().AsNoTracking().SingleAsync(i => i.MessageId == messageId));
        inbox.Consumed.ShouldNotBeNull();
        inbox.Delivered.ShouldBeNull();
        (await observer.QueryAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.InboxMessageId == messageId))).ShouldBe(1);
        (await observer.QueryAsync(db => db.Ledger.CountAsync(l => l.EntryId == entry))).ShouldBe(1);
        observer.Deliveries.Of<EntryRecorded>(e => e.EntryId == entry).ShouldBeEmpty("nothing was published before the kill");

        // The restart: the same consumer on the same queue and database; the broker redelivers the unacknowledged message.
        using var restarted = CrashClient.Start("consume", environment.RabbitMqUri.ToString(), MessagingTestHost.Limited(_db), "run");
        try
        {
            await Eventually.True(async () => observer.Deliveries.Of<EntryRecorded>(e => e.EntryId == entry).Count >= 1,
                "the stored EntryRecorded goes out after the restart", TimeSpan.FromSeconds(60));
            await Eventually.True(async () => (await observer.QueryAsync(db => db.Set<InboxState>().AsNoTracking()
                    .SingleAsync(i => i.MessageId == messageId))).Delivered is not null, "the redelivered message is acknowledged as delivered");
            (await observer.QueryAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.InboxMessageId == messageId))).ShouldBe(0, "its outbox rows are gone");
            (await observer.QueryAsync(db => db.Ledger.CountAsync(l => l.EntryId == entry))).ShouldBe(1, "the consumer did not run again");
            observer.Deliveries.Of<EntryRecorded>(e => e.EntryId == entry).Count.ShouldBe(1, "published once");
            var inboxAfter = await observer.QueryAsync(db => db.Set<InboxState>().AsNoTracking().SingleAsync(i => i.MessageId == messageId));
            inboxAfter.ReceiveCount.ShouldBeGreaterThan(inbox.ReceiveCount, "the message was really received again");

            // Acknowledged as consumed (by its first delivery), not dead-lettered: a message no consumer ran for would be
            // moved to crash-record-entry_skipped, before its acknowledgement (found by eng/chaos.sh).
            await Eventually.True(async () => (await environment.Management.GetQueueAsync(environment.VirtualHost, "crash-record-entry"))?.Messages == 0,
                "the redelivered message is acknowledged", TimeSpan.FromSeconds(60));
            (await environment.Management.GetQueueAsync(environment.VirtualHost, "crash-record-entry_skipped")).ShouldBeNull("the redelivery is not skipped");
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
            await restarted.WaitForExitAsync();
        }
    }
}
