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
/// The inbox cleanup killed between its batches' deletes and commits (the crash client with <c>cleanup</c>: every
/// 200 ms, batches of 2). The service first handles a RecordEntry (its inbox row is inside the duplicate-detection
/// window); then five expired rows appear (delivered, or never completed, before the window: three batches) beside one
/// old row consumed but not delivered (its outbox still has to go out: never expired). After a restart the cleanup
/// completes, the old undelivered row and the recent row are kept, and a duplicate of the recent message delivered
/// after the crash is absorbed by the inbox: the ledger entry and EntryRecorded once.
/// </summary>
public sealed class InboxCleanupCrashPointSpecs(CrashPointEnvironment environment) : IClassFixture<CrashPointEnvironment>
{
    private const int Expired = 5;
    private const int Batch = 2; // tests/Messaging.CrashClient's ServiceMode.CleanupBatch
    private const string Queue = "crash-record-entry";

    [Theory]
    [InlineData(CrashPoints.InboxRowsDeleted, 0)] // the first batch's delete rolled back
    [InlineData(CrashPoints.InboxRowsDeleted + "@2", Batch)] // the first batch committed, the second rolled back
    [InlineData(CrashPoints.InboxCleanupCommitted, Batch)] // the first batch committed, the next not started
    public async Task An_inbox_cleanup_killed_at_a_step_boundary_completes_after_a_restart_and_still_deduplicates(string crashAt, int removedBeforeRestart)
    {
        var entry = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        var marker = Guid.NewGuid(); // the consumer id of this case's made-up rows
        await environment.CrashAsync(crashAt, async () =>
        {
            await SendRecordEntry(entry, messageId);
            await Eventually.True(async () => (await Inbox(messageId))?.Delivered is not null, "the service handles RecordEntry");
            await AddOldRows(marker);
        }, "cleanup");

        (await ExpiredRows(marker)).ShouldBe(Expired - removedBeforeRestart, "expired rows the crash left (a batch is deleted whole or not at all)");
        (await KeptRows(marker)).ShouldBe(1, "a consumed, undelivered row is never expired");
        (await Inbox(messageId)).ShouldNotBeNull("a row inside the window is kept");

        await using (await environment.RestartAsync())
        {
            await Eventually.True(async () => await ExpiredRows(marker) == 0, "the restart's cleanup completes", TimeSpan.FromSeconds(60));
            var received = (await Inbox(messageId)).ShouldNotBeNull("a row inside the window survives the cleanup").ReceiveCount;

            await SendRecordEntry(entry, messageId);
            await Eventually.True(async () => (await Inbox(messageId))?.ReceiveCount > received, "the duplicate reaches the inbox", TimeSpan.FromSeconds(60));
            var management = environment.Isolated.Management;
            var vhost = environment.Isolated.VirtualHost;
            await Eventually.True(async () => (await management.GetQueueAsync(vhost, Queue))?.Messages == 0,
                "the duplicate is acknowledged", TimeSpan.FromSeconds(60));
            ((await management.GetQueueAsync(vhost, Queue + "_skipped"))?.Messages ?? 0).ShouldBe(0, "the duplicate is not skipped");
        }

        (await KeptRows(marker)).ShouldBe(1, "the consumed, undelivered row is still there");
        (await environment.QueryServiceAsync(db => db.Ledger.CountAsync(l => l.EntryId == entry))).ShouldBe(1, "the duplicate had no second effect");
        var recorded = environment.Observer.Deliveries.Where<EntryRecorded>(e => e.EntryId == entry);
        recorded.Count.ShouldBe(1, "the observer saw EntryRecorded once");
        var ids = recorded.Select(d => d.MessageId).ToHashSet();
        environment.Observer.Raw.MessageIds("entry-recorded").Count(ids.Contains).ShouldBe(1, "broker deliveries of EntryRecorded");
    }

    private async Task SendRecordEntry(Guid entry, Guid messageId)
    {
        var endpoint = await environment.Observer.Bus.GetSendEndpoint(new Uri($"queue:{Queue}"));
        await endpoint.Send(new RecordEntry(entry), context => context.MessageId = messageId);
    }

    /// <summary>In one transaction, so the cleanup finds them all at once: <see cref="Expired"/> expired rows and one kept.</summary>
    private Task AddOldRows(Guid marker) =>
        environment.QueryServiceAsync(async db =>
        {
            var old = DateTime.UtcNow - TimeSpan.FromHours(2); // the window is 30 min
            for (var i = 0; i < Expired; i++)
            {
                var received = old.AddSeconds(i);
                var completed = i % 2 == 0; // delivered long ago, or never completed (faulted) and received long ago
                db.Set<InboxState>().Add(new InboxState
                {
                    MessageId = NewId.NextGuid(), ConsumerId = marker, LockId = Guid.NewGuid(), Received = received, ReceiveCount = 1,
                    Consumed = completed ? received : null, Delivered = completed ? received : null,
                });
            }

            db.Set<InboxState>().Add(new InboxState
            {
                MessageId = NewId.NextGuid(), ConsumerId = marker, LockId = Guid.NewGuid(), Received = old, ReceiveCount = 1, Consumed = old,
            });
            return await db.SaveChangesAsync();
        });

    private Task<int> ExpiredRows(Guid marker) =>
        environment.QueryServiceAsync(db => db.Set<InboxState>().CountAsync(i => i.ConsumerId == marker && (i.Delivered != null || i.Consumed == null)));

    private Task<int> KeptRows(Guid marker) =>
        environment.QueryServiceAsync(db => db.Set<InboxState>().CountAsync(i => i.ConsumerId == marker && i.Consumed != null && i.Delivered == null));

    private Task<InboxState?> Inbox(Guid messageId) =>
        environment.QueryServiceAsync(db => db.Set<InboxState>().AsNoTracking().SingleOrDefaultAsync(i => i.MessageId == messageId));
}
