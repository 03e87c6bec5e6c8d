using MassTransit;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Storage;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.CrashTesting;

/// <summary>
/// The consumer outbox + inbox killed at each of its step boundaries (tests/Messaging.CrashClient's RecordEntry
/// consumer: a ledger entry and a published EntryRecorded, in one pass). The test checks what the crash left, restarts
/// the service, and checks that the ledger entry exists once, EntryRecorded reached the observer once, and the broker
/// carried it as often as the protocol allows (twice only where the crash fell between a send and its record).
/// </summary>
public sealed class ConsumerOutboxCrashPointSpecs(CrashPointEnvironment environment) : IClassFixture<CrashPointEnvironment>
{
    /// <summary>What the crash leaves of the received message's inbox row.</summary>
    public enum Left { Nothing, Consumed, Delivered }

    [Theory]
    [InlineData(CrashPoints.InboxInserted, Left.Nothing, 0, 1)]
    [InlineData(CrashPoints.Consumed, Left.Nothing, 0, 1)]
    [InlineData(CrashPoints.ConsumedCommitted, Left.Consumed, 0, 1)]
    [InlineData(CrashPoints.ConsumerMessageSent, Left.Consumed, 1, 2)]
    [InlineData(CrashPoints.Delivered, Left.Delivered, 1, 1)] // the first delivery marks it in an autocommitted statement
    [InlineData(CrashPoints.DeliveredCommitted, Left.Delivered, 1, 1)]
    public async Task A_consumer_killed_at_a_step_boundary_has_its_effect_once_after_a_restart(string point, Left left, int sentBeforeRestart, int sends)
    {
        var entry = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        await environment.CrashAsync(point, async () =>
        {
            var endpoint = await environment.Observer.Bus.GetSendEndpoint(new Uri("queue:crash-record-entry"));
            await endpoint.Send(new RecordEntry(entry), context => context.MessageId = messageId);
        });

        var inbox = await Inbox(messageId);
        (await Ledger(entry)).ShouldBe(left == Left.Nothing ? 0 : 1, "the effect is committed with the inbox row, or not at all");
        (await OutboxRows(messageId)).ShouldBe(left == Left.Consumed ? 1 : 0, "the published message is stored until delivered");
        switch (left)
        {
            case Left.Nothing:
                inbox.ShouldBeNull("the pass rolled back with the process");
                break;
            case Left.Consumed:
                inbox.ShouldNotBeNull().Consumed.ShouldNotBeNull();
                inbox.Delivered.ShouldBeNull();
                break;
            case Left.Delivered:
                inbox.ShouldNotBeNull().Delivered.ShouldNotBeNull();
                break;
        }

        if (sentBeforeRestart == 0) Sends(entry).ShouldBe(0, "nothing reached the broker before the kill");
        else await Eventually.True(async () => Sends(entry) == sentBeforeRestart, "EntryRecorded reached the broker before the kill");

        await using (await environment.RestartAsync())
        {
            await Eventually.True(async () => (await Inbox(messageId))?.Delivered is not null, "the redelivered message completes", TimeSpan.FromSeconds(60));
            await Eventually.True(async () => Recorded(entry).Count >= 1, "EntryRecorded reaches the observer");
            await Eventually.True(async () => Sends(entry) >= sends, $"EntryRecorded went to the broker {sends} time(s)");

            // The redelivery is acknowledged as consumed (by its first delivery), not dead-lettered: a message no consumer
            // ran for would be moved to crash-record-entry_skipped before its acknowledgement (found by eng/chaos.sh).
            var management = environment.Isolated.Management;
            var vhost = environment.Isolated.VirtualHost;
            await Eventually.True(async () => (await management.GetQueueAsync(vhost, "crash-record-entry"))?.Messages == 0,
                "the redelivered message is acknowledged", TimeSpan.FromSeconds(60));
            ((await management.GetQueueAsync(vhost, "crash-record-entry_skipped"))?.Messages ?? 0).ShouldBe(0, "the redelivery is not skipped");
        }

        (await Ledger(entry)).ShouldBe(1, "the consumer's effect happened once");
        (await OutboxRows(messageId)).ShouldBe(0, "nothing is left to send");
        (await Inbox(messageId))!.ReceiveCount.ShouldBeGreaterThanOrEqualTo(left == Left.Nothing ? 1 : 2, "the broker redelivered it to the restart");
        Recorded(entry).Count.ShouldBe(1, "the observer saw EntryRecorded once");
        Sends(entry).ShouldBe(sends, "broker deliveries of EntryRecorded");
    }

    private Task<InboxState?> Inbox(Guid messageId) =>
        environment.QueryServiceAsync(db => db.Set<InboxState>().AsNoTracking().SingleOrDefaultAsync(i => i.MessageId == messageId));

    private Task<int> Ledger(Guid entry) => environment.QueryServiceAsync(db => db.Ledger.CountAsync(l => l.EntryId == entry));

    private Task<int> OutboxRows(Guid messageId) =>
        environment.QueryServiceAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.InboxMessageId == messageId));

    private IReadOnlyList<Support.Deliveries.Delivery> Recorded(Guid entry) =>
        environment.Observer.Deliveries.Where<EntryRecorded>(e => e.EntryId == entry);

    private int Sends(Guid entry)
    {
        var ids = Recorded(entry).Select(d => d.MessageId).ToHashSet();
        return environment.Observer.Raw.MessageIds("entry-recorded").Count(ids.Contains);
    }
}
