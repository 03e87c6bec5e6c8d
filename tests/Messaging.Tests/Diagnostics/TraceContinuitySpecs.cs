using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Messaging.Tests.ConsumerOutbox;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Diagnostics;

/// <summary>
/// The producer's trace (traceparent) and baggage survive the database: the consumer's span belongs to the trace of
/// the code that wrote the outbox row or scheduled the message, however late the delivery.
/// </summary>
public sealed class TraceContinuitySpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private static readonly ActivitySource Producer = new("OrderSystem.Messaging.Tests.Producer");
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = _ => true,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    private string _db = "";

    public async Task InitializeAsync()
    {
        ActivitySource.AddActivityListener(_listener);
        _db = await environment.CreateDatabaseAsync("tracing");
        await MigrationSchema.CreateAsync(_db);
    }

    public Task DisposeAsync()
    {
        _listener.Dispose();
        return Task.CompletedTask;
    }

    private Task<MessagingTestHost> StartHost() =>
        MessagingTestHost.StartAsync(environment, _db, bus =>
        {
            bus.AddConsumer<PingConsumer, PingConsumerDefinition>();
            bus.AddConsumer<RecordEntryConsumer>();
            bus.AddConsumer<EntryRecordedConsumer>();
        });

    private static Activity StartRequest()
    {
        var activity = Producer.StartActivity("POST /things", ActivityKind.Server)!;
        activity.AddBaggage("tenant", "acme");
        return activity;
    }

    [Fact]
    public async Task The_consumer_continues_the_trace_of_a_bus_outbox_publish()
    {
        await using var host = await StartHost();
        var run = Guid.NewGuid();
        string traceId;
        using (var request = StartRequest())
        {
            traceId = request.TraceId.ToString();
            await host.InScopeAsync(async (scope, db) =>
            {
                await scope.GetRequiredService<IPublishEndpoint>().Publish(new Ping(run, 1));
                await db.SaveChangesAsync();
            });
        }

        var delivery = (await Eventually.Get(async () => host.Deliveries.Where<Ping>(p => p.RunId == run), d => d.Count == 1, "the ping arrives"))[0];
        delivery.TraceId.ShouldBe(traceId);
        delivery.Baggage.ShouldContainKeyAndValue("tenant", "acme");
    }

    [Fact]
    public async Task The_consumer_continues_the_trace_of_a_scheduled_message()
    {
        await using var host = await StartHost();
        var run = Guid.NewGuid();
        string traceId;
        using (var request = StartRequest())
        {
            traceId = request.TraceId.ToString();
            await host.InScopeAsync(async (scope, db) =>
            {
                await scope.GetRequiredService<IMessageScheduler>()
                    .ScheduleSend(host.QueueAddress("ping"), DateTime.UtcNow.AddMilliseconds(500), new Ping(run, 1));
                await db.SaveChangesAsync();
            });
        }

        var delivery = (await Eventually.Get(async () => host.Deliveries.Where<Ping>(p => p.RunId == run), d => d.Count == 1, "the ping arrives"))[0];
        delivery.TraceId.ShouldBe(traceId);
        delivery.Baggage.ShouldContainKeyAndValue("tenant", "acme");
    }

    [Fact]
    public async Task A_message_published_through_the_consumer_outbox_continues_the_trace()
    {
        await using var host = await StartHost();
        var entry = Guid.NewGuid();
        string traceId;
        using (var request = StartRequest())
        {
            traceId = request.TraceId.ToString();
            var endpoint = await host.Bus.GetSendEndpoint(host.QueueAddress("record-entry"));
            await endpoint.Send(new RecordEntry(entry));
        }

        var delivery = (await Eventually.Get(async () => host.Deliveries.Where<EntryRecorded>(e => e.EntryId == entry), d => d.Count == 1,
            "the event arrives"))[0];
        delivery.TraceId.ShouldBe(traceId);
        delivery.Baggage.ShouldContainKeyAndValue("tenant", "acme");
    }
}
