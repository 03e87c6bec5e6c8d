using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.SystemProcesses.Broker;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Queues;

/// <summary>
/// <c>Messaging:QueueType</c> declares what it says, seen through the broker's management API: with <c>quorum</c>, each
/// service queue is a quorum queue with its delivery limit, dead-lettering at-least-once into <c>&lt;queue&gt;_error</c>,
/// and that error exchange, queue and binding exist from start-up, before any fault; a temporary endpoint's queue stays
/// classic and non-durable. With the default, nothing changes.
/// </summary>
public sealed class QueueTypeSwitchSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("queuetype");
        await MigrationSchema.CreateAsync(_db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Quorum_makes_every_service_queue_a_quorum_queue_that_dead_letters_into_its_error_queue_declared_at_start_up()
    {
        await using var host = await MessagingTestHost.StartAsync(environment, _db, bus =>
            {
                bus.AddConsumer<PingConsumer, PingConsumerDefinition>();
                bus.AddConsumer<FailingPingConsumer>().Endpoint(e => e.Name = "ping-failing");
                bus.AddConsumer<ConsumerOutbox.EntryRecordedConsumer>().Endpoint(e =>
                {
                    e.Name = "ping-temporary";
                    e.Temporary = true;
                });
            },
            settings: new Dictionary<string, string?> { ["Messaging:QueueType"] = "quorum", ["Messaging:DeliveryLimit"] = "3" });
        var management = environment.Management;
        var vhost = environment.VirtualHost;

        var queue = (await management.GetQueueAsync(vhost, "ping")).ShouldNotBeNull("the endpoint's queue");
        queue.Type.ShouldBe("quorum");
        queue.Durable.ShouldBeTrue();
        Argument(queue, "x-delivery-limit").ShouldBe("3");
        Argument(queue, "x-dead-letter-exchange").ShouldBe("ping_error");
        Argument(queue, "x-dead-letter-strategy").ShouldBe("at-least-once");
        Argument(queue, "x-overflow").ShouldBe("reject-publish");

        // The dead-letter target exists before anything has failed: exchange, queue and binding, as MassTransit names them.
        var exchange = (await management.GetExchangeAsync(vhost, "ping_error")).ShouldNotBeNull("the error exchange is declared at start-up");
        exchange.Type.ShouldBe("fanout");
        exchange.Durable.ShouldBeTrue();
        var error = (await management.GetQueueAsync(vhost, "ping_error")).ShouldNotBeNull("the error queue is declared at start-up");
        error.Type.ShouldBe("classic", "a dead letter's queue must not count the operator tool's looks as failed deliveries");
        error.Durable.ShouldBeTrue();
        error.AutoDelete.ShouldBeFalse();
        error.Arguments.ShouldNotContainKey("x-delivery-limit");
        error.Arguments.ShouldNotContainKey("x-dead-letter-exchange");
        (await management.GetQueueBindingsAsync(vhost, "ping_error")).ShouldContain(b => b.Source == "ping_error");

        // MassTransit's own moves agree with what was declared: a fault goes to <queue>_error, a message nobody on the
        // endpoint consumes to <queue>_skipped (both declared by MassTransit with the endpoint's arguments minus the quorum ones).
        var failing = await host.Bus.GetSendEndpoint(new Uri("exchange:ping-failing"));
        await failing.Send(new Ping(Guid.NewGuid(), 1));
        await failing.Send(new RecordEntry(Guid.NewGuid()));
        await Eventually.True(async () => (await management.GetQueueAsync(vhost, "ping-failing_error"))?.Messages == 1, "the fault in ping-failing_error");
        await Eventually.True(async () => (await management.GetQueueAsync(vhost, "ping-failing_skipped"))?.Messages == 1, "the unconsumed message in ping-failing_skipped");
        (await management.GetQueueAsync(vhost, "ping-failing_skipped"))!.Type.ShouldBe("classic");

        // Temporary endpoints, configured with the others or connected at run time through the same endpoint callbacks,
        // stay classic, non-durable queues.
        var connector = host.Services.GetRequiredService<IReceiveEndpointConnector>();
        var handle = connector.ConnectReceiveEndpoint(new TemporaryEndpointDefinition(), KebabCaseEndpointNameFormatter.Instance);
        await handle.Ready;
        var temporary = await Eventually.Get(async () => (await management.GetQueuesAsync(vhost)).Where(q => !q.Name.StartsWith("ping", StringComparison.Ordinal) || q.Name == "ping-temporary").ToList(),
            queues => queues.Count > 1, "the temporary endpoints' queues are listed");
        temporary.ShouldAllBe(q => !q.Durable);
        temporary.ShouldAllBe(q => q.Type == "classic" && !q.Arguments.ContainsKey("x-dead-letter-exchange"));
        await handle.StopAsync();
    }

    [Fact]
    public async Task The_default_leaves_queues_classic_without_a_dead_letter_exchange()
    {
        await using var host = await MessagingTestHost.StartAsync(environment, _db, bus => bus.AddConsumer<PingConsumer, PingConsumerDefinition>()
            .Endpoint(e => e.Name = "ping-default"));

        var queue = (await environment.Management.GetQueueAsync(environment.VirtualHost, "ping-default")).ShouldNotBeNull();
        queue.Type.ShouldBe("classic");
        queue.Arguments.ShouldNotContainKey("x-dead-letter-exchange");
        queue.Arguments.ShouldNotContainKey("x-delivery-limit");
        (await environment.Management.GetQueueAsync(environment.VirtualHost, "ping-default_error")).ShouldBeNull("MassTransit creates it on the first fault");
    }

    [Fact]
    public async Task Switching_a_broker_whose_queues_exist_stops_the_service_with_a_message_that_names_the_fix()
    {
        await using (await MessagingTestHost.StartAsync(environment, _db, bus => bus.AddConsumer<PingConsumer, PingConsumerDefinition>()
                         .Endpoint(e => e.Name = "ping-switched")))
        {
            // The queue now exists as a classic queue, as on a developer's broker from earlier runs.
        }

        var logs = new LogCapture();
        var start = MessagingTestHost.StartAsync(environment, _db, bus => bus.AddConsumer<PingConsumer, PingConsumerDefinition>()
                .Endpoint(e => e.Name = "ping-switched"),
            settings: new Dictionary<string, string?> { ["Messaging:QueueType"] = "quorum" }, logs: logs);

        var critical = await Eventually.Get(async () => logs.Errors().FirstOrDefault(e => e.Contains("QueueDeclarationGuard", StringComparison.Ordinal)),
            e => e is not null, "the guard reports the refused declare", TimeSpan.FromSeconds(60));
        critical.ShouldNotBeNull();
        critical.ShouldContain("'ping-switched'");
        critical.ShouldContain("PRECONDITION_FAILED - inequivalent arg"); // RabbitMQ's own words, passed on
        critical.ShouldContain("eng/run.sh --reset");
        critical.ShouldContain("Messaging:QueueType=quorum");
        // Found by the guard's own declare before the bus started its endpoints, not by MassTransit's: MassTransit
        // declares q and q_error concurrently on one channel, and RabbitMQ.Client 7.2.2 can strand the second declare
        // for ever when the broker refuses the first (the endpoint then never faults, and the service never stops).
        logs.Errors().ShouldNotContain(e => e.Contains("Declare queue faulted", StringComparison.Ordinal));

        // The service stops instead of retrying for ever: starting ends (cancelled by the stop), or the host is stopping.
        await Eventually.True(async () => start.IsCompleted, "the start gives up once the service stops", TimeSpan.FromSeconds(60));
        if (start.IsCompletedSuccessfully)
        {
            await using var host = await start;
            host.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested.ShouldBeTrue();
        }

        // ...and its process ends with a failure code, so that a supervisor (the AppHost's DCP) shows a failed start.
        var exitCode = Environment.ExitCode;
        Environment.ExitCode = 0; // this process is the test run's
        exitCode.ShouldBe(1);
    }

    [Fact]
    public async Task Restarting_on_the_queues_it_declared_passes_the_start_up_check()
    {
        var settings = new Dictionary<string, string?> { ["Messaging:QueueType"] = "quorum" };
        await using (await MessagingTestHost.StartAsync(environment, _db, bus => bus.AddConsumer<PingConsumer, PingConsumerDefinition>()
                         .Endpoint(e => e.Name = "ping-restarted"), settings: settings))
        {
        }

        var logs = new LogCapture();
        await using var host = await MessagingTestHost.StartAsync(environment, _db, bus => bus.AddConsumer<PingConsumer, PingConsumerDefinition>()
            .Endpoint(e => e.Name = "ping-restarted"), settings: settings, logs: logs);

        var ping = Guid.NewGuid();
        await (await host.Bus.GetSendEndpoint(new Uri("exchange:ping-restarted"))).Send(new Ping(ping, 1));
        await Eventually.True(async () => host.Services.GetRequiredService<Deliveries>().Of<Ping>(p => p.RunId == ping).Count == 1, "the restarted endpoint consumes");
        logs.Errors().ShouldBeEmpty();
        host.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested.ShouldBeFalse();
    }

    private static string? Argument(RabbitMqManagement.QueueInfo queue, string name) =>
        queue.Arguments.TryGetValue(name, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText() : null;
}
