using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Scheduling;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Delivery;

/// <summary>
/// The delivery loop does only the database work a commit calls for. The poll (<c>QueryDelay</c>) is set to five minutes, so
/// after the first pass everything it does is driven by what this process committed: a bus-outbox commit costs one
/// transaction (no closing pass to find the outbox empty, no scan for scheduled messages); a scheduled message costs no
/// bus-outbox pass and is sent when it falls due, long before the poll, whether the API scheduled it or a consumer (its
/// row written with the consuming pass's commit).
/// </summary>
public sealed class DeliveryLoopSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private const string PingQueue = "ping";
    private DeliveryScanCounter _scans = null!;
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("deliveryloop");
        await MigrationSchema.CreateAsync(_db);
        _scans = new DeliveryScanCounter(new NpgsqlConnectionStringBuilder(_db).Database!);
    }

    public Task DisposeAsync()
    {
        _scans.Dispose();
        return Task.CompletedTask;
    }

    private Task<MessagingTestHost> StartHost() =>
        MessagingTestHost.StartAsync(environment, _db,
            bus =>
            {
                bus.AddConsumer<PingConsumer, PingConsumerDefinition>();
                bus.AddSagaStateMachine<ReminderStateMachine, ReminderState>().InMemoryRepository();
            },
            o =>
            {
                o.QueryDelay = TimeSpan.FromMinutes(5);
                o.MaxDeliveryBackoff = o.QueryDelay;
            });

    private async Task FirstPassDone()
    {
        await Eventually.True(() => Task.FromResult(_scans.Outbox >= 1 && _scans.Scheduled >= 1), "the first pass after start");
        _scans.Outbox.ShouldBe(1);
        _scans.Scheduled.ShouldBe(1);
    }

    [Fact]
    public async Task Each_bus_outbox_commit_costs_one_delivery_transaction_and_no_scan_for_scheduled_messages()
    {
        await using var host = await StartHost();
        await FirstPassDone();
        var run = Guid.NewGuid();

        const int commits = 5;
        for (var sequence = 1; sequence <= commits; sequence++)
        {
            await host.InScopeAsync(async (scope, db) =>
            {
                await scope.GetRequiredService<IPublishEndpoint>().Publish(new Ping(run, sequence));
                await db.SaveChangesAsync();
            });
            var expected = sequence;
            await Eventually.True(() => Task.FromResult(host.Deliveries.Of<Ping>(p => p.RunId == run).Count == expected), $"Ping {sequence} delivered");
        }

        _scans.Outbox.ShouldBe(1 + commits, "one bus-outbox transaction per commit: it found fewer outboxes than it may take, so it drained the outbox");
        _scans.Scheduled.ShouldBe(1, "nothing scheduled was committed");
    }

    [Fact]
    public async Task A_scheduled_message_is_sent_when_due_without_a_bus_outbox_pass_or_waiting_for_the_poll()
    {
        await using var host = await StartHost();
        await FirstPassDone();
        var run = Guid.NewGuid();
        var due = DateTime.UtcNow + TimeSpan.FromSeconds(1);

        await host.InScopeAsync(async (scope, db) =>
        {
            await scope.GetRequiredService<IMessageScheduler>().ScheduleSend(host.QueueAddress(PingQueue), due, new Ping(run, 1, due));
            await db.SaveChangesAsync();
        });

        await Eventually.True(() => Task.FromResult(host.Deliveries.Of<Ping>(p => p.RunId == run).Count == 1),
            "sent when due: the commit told the loop its due time (the poll is minutes away)", TimeSpan.FromSeconds(30));
        _scans.Outbox.ShouldBe(1, "a scheduled row is not a bus-outbox row: no bus-outbox pass");
        _scans.Scheduled.ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task A_message_a_consumer_schedules_is_sent_when_due_without_waiting_for_the_poll()
    {
        await using var host = await StartHost();
        await FirstPassDone();
        var reminder = Guid.NewGuid();

        // The saga schedules inside the consumer outbox: the row commits with the pass, which tells the loop its due time.
        var saga = await host.Bus.GetSendEndpoint(host.QueueAddress("reminder-state"));
        await saga.Send(new StartReminder(reminder, TimeSpan.FromSeconds(1)));

        await Eventually.True(() => Task.FromResult(host.Deliveries.Of<ReminderDue>(r => r.ReminderId == reminder).Count == 1),
            "sent when due (the poll is minutes away)", TimeSpan.FromSeconds(30));
        _scans.Outbox.ShouldBe(1, "a scheduled row is not a bus-outbox row: no bus-outbox pass");
        _scans.Scheduled.ShouldBeGreaterThan(1);
    }
}
