using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Messaging.Storage;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Database;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Scheduling;

/// <summary>
/// The durable scheduler on PostgreSQL (no delayed-exchange plugin on our broker): a scheduled message is a row written
/// in the scheduling transaction, held until due, cancellable, and kept across restarts.
/// </summary>
public sealed class SchedulerSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private const string PingQueue = "ping";
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(1);
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("scheduler");
        await MigrationSchema.CreateAsync(_db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<MessagingTestHost> StartHost(bool delivery = true) =>
        MessagingTestHost.StartAsync(environment, _db, bus =>
        {
            bus.AddConsumer<PingConsumer, PingConsumerDefinition>();
            bus.AddSagaStateMachine<ReminderStateMachine, ReminderState>().InMemoryRepository();
        }, o => o.DeliveryServiceEnabled = delivery);

    /// <summary>Schedules a ping through the scoped IMessageScheduler (HTTP-handler style) and commits; returns its due time.</summary>
    private static async Task<(DateTime Due, Guid Token)> SchedulePing(MessagingTestHost host, Guid run, int sequence, TimeSpan delay)
    {
        var due = DateTime.UtcNow + delay;
        Guid token = default;
        await host.InScopeAsync(async (scope, db) =>
        {
            var scheduler = scope.GetRequiredService<IMessageScheduler>();
            var scheduled = await scheduler.ScheduleSend(host.QueueAddress(PingQueue), due, new Ping(run, sequence, due));
            token = scheduled.TokenId;
            await db.SaveChangesAsync();
        });
        return (due, token);
    }

    private static Task<int> Pending(MessagingTestHost host) =>
        host.QueryAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.OutboxId == null && m.InboxMessageId == null));

    [Fact]
    public async Task A_scheduled_message_arrives_after_its_delay_and_not_before()
    {
        await using var host = await StartHost();
        var run = Guid.NewGuid();

        await SchedulePing(host, run, 1, Short);
        await SchedulePing(host, run, 2, TimeSpan.Zero);

        var arrivals = await Eventually.Get(async () => host.Deliveries.Where<Ping>(p => p.RunId == run), a => a.Count == 2, "both arrive");
        foreach (var arrival in arrivals)
        {
            var ping = (Ping)arrival.Message;
            arrival.At.ShouldBeGreaterThanOrEqualTo(ping.NotBefore!.Value, $"ping {ping.Sequence} arrived before it was due");
        }

        ((Ping)arrivals[0].Message).Sequence.ShouldBe(2, "the message due now overtakes the one due later");
        // The consumer can see a message before the delivery service has committed the removal of its row.
        await Eventually.True(async () => await Pending(host) == 0, "no scheduled row left once delivered");
    }

    [Fact]
    public async Task A_cancelled_message_never_arrives()
    {
        var run = Guid.NewGuid();

        // Scheduled and cancelled while no delivery service runs, so the cancel cannot lose a race with the due time (on a
        // busy machine the three steps took longer than the one-second delay, and the first ping went out before its cancel).
        await using (var scheduling = await StartHost(delivery: false))
        {
            var (_, token) = await SchedulePing(scheduling, run, 1, Short);
            await SchedulePing(scheduling, run, 2, Short + TimeSpan.FromMilliseconds(500));
            await scheduling.InScopeAsync(async (scope, _) =>
                await scope.GetRequiredService<IMessageScheduler>().CancelScheduledSend(scheduling.QueueAddress(PingQueue), token));
        }

        await using var host = await StartHost();

        await Eventually.True(async () => host.Deliveries.Of<Ping>(p => p.RunId == run && p.Sequence == 2).Count == 1, "the later one arrives");
        host.Deliveries.Of<Ping>(p => p.RunId == run && p.Sequence == 1).ShouldBeEmpty();
        // The consumer can see a message before the delivery service has committed the removal of its row.
        await Eventually.True(async () => await Pending(host) == 0, "no scheduled row left once delivered");
    }

    [Fact]
    public async Task A_schedule_survives_a_restart()
    {
        var run = Guid.NewGuid();
        await using (var before = await StartHost(delivery: false))
        {
            await SchedulePing(before, run, 1, Short);
            (await Pending(before)).ShouldBe(1);
        }

        await using var after = await StartHost();
        var arrival = await Eventually.Get(async () => after.Deliveries.Where<Ping>(p => p.RunId == run), a => a.Count == 1, "it arrives after the restart");
        arrival[0].At.ShouldBeGreaterThanOrEqualTo(((Ping)arrival[0].Message).NotBefore!.Value);
    }

    [Fact]
    public async Task A_saga_timeout_is_scheduled_in_the_sagas_transaction_and_unscheduled_on_cancel()
    {
        await using var host = await StartHost();
        var reminded = Guid.NewGuid();
        var cancelled = Guid.NewGuid();
        var saga = await host.Bus.GetSendEndpoint(host.QueueAddress("reminder-state"));

        var started = DateTime.UtcNow;
        using (var recorder = new RoundTripRecorder(new Npgsql.NpgsqlConnectionStringBuilder(_db).Database!))
        {
            await saga.Send(new StartReminder(cancelled, TimeSpan.FromSeconds(1)));
            await Eventually.True(async () => await Pending(host) == 1, "the saga's timeout is a pending row");
            await saga.Send(new CancelReminder(cancelled));
            await Eventually.True(async () => await Pending(host) == 0, "unscheduling deletes it");

            // Inside the consumer outbox the scheduled row's insert and the delete that cancels it go with the pass's
            // COMMIT, not in round trips of their own.
            var inserts = recorder.Trips.Where(sql => sql.Contains("INSERT INTO", StringComparison.Ordinal) && sql.Contains("outbox_message", StringComparison.Ordinal)).ToList();
            var deletes = recorder.Trips.Where(sql => sql.Contains("DELETE FROM", StringComparison.Ordinal) && sql.Contains("schedule_token_id", StringComparison.Ordinal)).ToList();
            inserts.ShouldNotBeEmpty();
            deletes.ShouldNotBeEmpty();
            inserts.Concat(deletes).ShouldAllBe(sql => sql.Contains("COMMIT", StringComparison.Ordinal), string.Join("\n---\n", inserts.Concat(deletes)));
        }

        await saga.Send(new StartReminder(reminded, TimeSpan.FromSeconds(1.5)));
        var due = await Eventually.Get(async () => host.Deliveries.Where<ReminderDue>(r => r.ReminderId == reminded), d => d.Count == 1,
            "the other saga's timeout arrives");

        due[0].At.ShouldBeGreaterThanOrEqualTo(started + TimeSpan.FromSeconds(1.5));
        host.Deliveries.Of<ReminderDue>(r => r.ReminderId == cancelled).ShouldBeEmpty();
    }
}
