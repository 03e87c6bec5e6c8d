using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Messaging.Configuration;
using OrderSystem.Messaging.ConsumerOutbox;
using OrderSystem.Messaging.Storage;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.ConsumerOutbox;

/// <summary>
/// Group commit of the "delivered" marks (<see cref="DeliveredMarks{TDbContext}"/>): a message that produced something
/// is acknowledged only once its inbox row is marked delivered, and that mark rides in another open consuming pass's
/// transaction when there is one. Whatever happens to that pass, the mark is committed exactly when the message is
/// done: by the pass's commit, or by its owner when the pass fails or keeps it waiting too long.
/// </summary>
public sealed class DeliveredMarksSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private const string RecordQueue = "record-entry";
    private const string HoldQueue = "hold-pass";
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("deliveredmarks");
        await MigrationSchema.CreateAsync(_db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// A host with the ledger consumer (it publishes <see cref="EntryRecorded"/>, which no consumer here takes, so that no
    /// other pass opens) and the consumer that holds its pass open.
    /// </summary>
    private Task<MessagingTestHost> StartHost(PassGate gate, TimeSpan markWait) =>
        MessagingTestHost.StartAsync(environment, _db, bus =>
        {
            bus.AddSingleton(gate);
            bus.AddConsumer<RecordEntryConsumer>();
            bus.AddConsumer<HoldPassConsumer>();
        }, outbox: o => o.DeliveredMarkWait = markWait);

    /// <summary>Holds one pass open, then records an entry whose mark has that pass to wait for.</summary>
    private static async Task<Guid> HoldAPassThenRecordAsync(MessagingTestHost host, PassGate gate, bool failOnRelease = false)
    {
        var hold = await host.Bus.GetSendEndpoint(host.QueueAddress(HoldQueue));
        await hold.Send(new HoldPass(Guid.NewGuid(), failOnRelease));
        await Eventually.True(() => Task.FromResult(gate.Held is not null), "the held pass is open");

        var messageId = NewId.NextGuid();
        var record = await host.Bus.GetSendEndpoint(host.QueueAddress(RecordQueue));
        await record.Send(new RecordEntry(Guid.NewGuid()), ctx => ctx.MessageId = messageId);
        return messageId;
    }

    /// <summary><see cref="HoldAPassThenRecordAsync"/>, until the entry's mark waits for the held pass.</summary>
    private static async Task<Guid> MarkWaitingForAHeldPassAsync(MessagingTestHost host, PassGate gate, DeliveredMarks<TestDbContext> marks,
        bool failOnRelease = false)
    {
        var messageId = await HoldAPassThenRecordAsync(host, gate, failOnRelease);
        await Eventually.True(() => Task.FromResult(marks.Waiting == 1), "the entry's mark waits for the held pass");
        return messageId;
    }

    private static Task<InboxState?> Inbox(MessagingTestHost host, Guid messageId) =>
        host.QueryAsync(db => db.Set<InboxState>().AsNoTracking().SingleOrDefaultAsync(i => i.MessageId == messageId));

    private static Task<int> OutboxRows(MessagingTestHost host, Guid messageId) =>
        host.QueryAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.InboxMessageId == messageId));

    private static async Task ShouldBeDeliveredAsync(MessagingTestHost host, Guid messageId)
    {
        await Eventually.True(async () => (await Inbox(host, messageId))?.Delivered is not null, "the entry's inbox row is marked delivered");
        (await OutboxRows(host, messageId)).ShouldBe(0, "the sent rows are deleted with the mark");
    }

    [Fact]
    public async Task A_mark_waits_for_an_open_pass_and_commits_in_its_transaction()
    {
        var gate = new PassGate();
        await using var host = await StartHost(gate, TimeSpan.FromMinutes(5));
        var marks = host.Services.GetRequiredService<DeliveredMarks<TestDbContext>>();

        var messageId = await MarkWaitingForAHeldPassAsync(host, gate, marks);
        var waiting = await Inbox(host, messageId);
        waiting.ShouldNotBeNull();
        waiting.Consumed.ShouldNotBeNull("the entry was consumed and committed");
        waiting.Delivered.ShouldBeNull("its mark is not written while it waits");

        gate.Open();

        await ShouldBeDeliveredAsync(host, messageId);
        marks.Carried.ShouldBe(1, "the held pass carried the mark");
        marks.WrittenByOwners.ShouldBe(0);
        marks.Waiting.ShouldBe(0);
    }

    [Fact]
    public async Task A_mark_that_waited_too_long_is_written_by_its_owner_while_the_pass_stays_open()
    {
        var gate = new PassGate();
        await using var host = await StartHost(gate, TimeSpan.FromMilliseconds(200));
        var marks = host.Services.GetRequiredService<DeliveredMarks<TestDbContext>>();

        var messageId = await HoldAPassThenRecordAsync(host, gate);

        await ShouldBeDeliveredAsync(host, messageId);
        marks.WrittenByOwners.ShouldBe(1);
        marks.OwnerStatements.ShouldBe(1);
        marks.Carried.ShouldBe(0);
        gate.Opened.IsCompleted.ShouldBeFalse("the pass it waited for was still open");
        gate.Open();
    }

    [Fact]
    public async Task A_mark_goes_back_to_its_owner_when_the_pass_it_waits_for_fails_before_writing()
    {
        var gate = new PassGate();
        await using var host = await StartHost(gate, TimeSpan.FromMinutes(5));
        var marks = host.Services.GetRequiredService<DeliveredMarks<TestDbContext>>();

        var messageId = await MarkWaitingForAHeldPassAsync(host, gate, marks, failOnRelease: true);
        gate.Open();

        await ShouldBeDeliveredAsync(host, messageId);
        marks.WrittenByOwners.ShouldBe(1, "the failed pass handed the mark back instead of keeping it for five minutes");
        marks.Carried.ShouldBe(0);
    }

    [Fact]
    public async Task A_mark_carried_by_a_pass_whose_commit_fails_is_written_by_its_owner()
    {
        var gate = new PassGate();
        var commits = new FailingCommit(_db);
        await commits.InstallAsync();
        await using var host = await StartHost(gate, TimeSpan.FromMinutes(5));
        var marks = host.Services.GetRequiredService<DeliveredMarks<TestDbContext>>();

        var messageId = await MarkWaitingForAHeldPassAsync(host, gate, marks);
        await commits.ArmAsync(); // nothing else writes an inbox row until the held pass commits
        gate.Open();

        await ShouldBeDeliveredAsync(host, messageId);
        (await commits.FailedAsync()).ShouldBe(1, "the held pass wrote the mark in its batch and then failed to commit");
        marks.Carried.ShouldBe(0, "a mark counts as carried only when the carrying pass commits");
        marks.WrittenByOwners.ShouldBe(1);
    }
}
