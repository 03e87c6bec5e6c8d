using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Messaging.Storage;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Delivery;

/// <summary>
/// A send that never returns (a publisher confirm lost with the connection: seen in CI, docs/reliability.md) must not
/// stall the delivery loop: past <c>SendTimeout</c> it counts as failed, the loop backs off and sends the row again.
/// One host writes the outbox without delivering it; the delivering host's first broker send of the message hangs and
/// ignores cancellation.
/// </summary>
public sealed class HungSendSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("hungsend");
        await MigrationSchema.CreateAsync(_db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_send_that_never_returns_times_out_and_the_message_is_delivered_by_the_next_attempt()
    {
        var run = Guid.NewGuid();
        Guid messageId;
        await using (var writer = await MessagingTestHost.StartAsync(environment, _db, _ => { }, o => o.DeliveryServiceEnabled = false))
        {
            await writer.InScopeAsync(async (scope, db) =>
            {
                await scope.GetRequiredService<IPublishEndpoint>().Publish(new Ping(run, 1));
                await db.SaveChangesAsync();
            });
            messageId = await writer.QueryAsync(db => db.Set<OutboxMessage>().Select(m => m.MessageId).SingleAsync());
        }

        var gate = new UnresponsiveGate();
        var hang = new HangFirstSend(messageId, gate);
        await using var deliverer = await MessagingTestHost.StartAsync(environment, _db, bus =>
        {
            bus.AddConsumer<PingConsumer, PingConsumerDefinition>();
            bus.AddSendObserver(_ => hang);
        }, o => o.SendTimeout = TimeSpan.FromSeconds(2));
        try
        {
            await Eventually.True(async () => gate.IsHanging, "the first send hangs");
            await Eventually.True(async () => deliverer.Deliveries.Of<Ping>(p => p.RunId == run).Count >= 1,
                "the message arrives while the first send still hangs", TimeSpan.FromSeconds(60));
            gate.IsHanging.ShouldBeTrue("delivered by a later attempt, not by the hung one");
            deliverer.Logs.Warnings("BusOutboxDelivery").ShouldContain(w => w.Contains("did not confirm outbox message"), "the timeout is logged with its reason");
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Holds the first send of the stored message to the broker on the gate, deaf to cancellation.</summary>
    private sealed class HangFirstSend(Guid messageId, UnresponsiveGate gate) : ISendObserver
    {
        public async Task PreSend<T>(SendContext<T> context)
            where T : class
        {
            // The delivery replays the stored body (its message object is an envelope), so the send is known by its id.
            if (context.MessageId == messageId && Interlocked.Exchange(ref gate.Taken, 1) == 0)
                await gate.Released; // deliberately without context.CancellationToken
        }

        public Task PostSend<T>(SendContext<T> context)
            where T : class => Task.CompletedTask;

        public Task SendFault<T>(SendContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
    }
}
