using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Storage;

/// <summary>
/// The outboxes store a message's envelope column by column (Npgsql directly on the paths every message takes), and
/// send it again from the stored row: every field must come back as it was sent, in the right column. A probe goes
/// through the bus outbox (written by EF Core, read back by the delivery pass), and its consumer sends two more through
/// the consumer outbox (written by the pass's batch; with a delivery limit of one message, the delivery pass reads them
/// back through EF Core instead of sending them from memory).
/// </summary>
public sealed class OutboxEnvelopeSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>
{
    private const string ProbeQueue = "probe-envelope";

    [Fact]
    public async Task Every_envelope_field_survives_the_bus_outbox_and_the_consumer_outbox()
    {
        var database = await environment.CreateDatabaseAsync("envelope");
        await MigrationSchema.CreateAsync(database);
        await using var host = await MessagingTestHost.StartAsync(environment, database,
            bus => bus.AddConsumer<ProbeEnvelopeConsumer>(),
            outbox: o => o.MessageDeliveryLimit = 1);
        var run = Guid.NewGuid();
        var first = ProbeEnvelopeConsumer.Expected(run, 1);
        var sentAt = DateTime.UtcNow;

        await host.InScopeAsync(async (scope, db) =>
        {
            var endpoint = await scope.GetRequiredService<ISendEndpointProvider>().GetSendEndpoint(host.QueueAddress(ProbeQueue));
            await endpoint.Send(new ProbeEnvelope(run, 1, Onward: 2), send =>
            {
                send.CorrelationId = first.CorrelationId;
                send.RequestId = first.RequestId;
                send.ResponseAddress = first.ResponseAddress;
                send.FaultAddress = first.FaultAddress;
                send.TimeToLive = TimeSpan.FromHours(1);
                send.Headers.Set(ProbeEnvelopeConsumer.Header, first.Header);
            });
            await db.SaveChangesAsync();
        });

        var received = await Eventually.Get(
            () => Task.FromResult(ProbeEnvelopeConsumer.Received.Where(r => r.RunId == run).OrderBy(r => r.Hop).ToList()),
            r => r.Count == 3, "the three probes to arrive");

        var origin = received[0];
        foreach (var envelope in received)
        {
            var expected = ProbeEnvelopeConsumer.Expected(run, envelope.Hop);
            envelope.MessageId.ShouldNotBeNull();
            envelope.CorrelationId.ShouldBe(expected.CorrelationId, $"hop {envelope.Hop}");
            envelope.RequestId.ShouldBe(expected.RequestId, $"hop {envelope.Hop}");
            envelope.ResponseAddress!.AbsolutePath.ShouldEndWith($"respond-{envelope.Hop}");
            envelope.FaultAddress!.AbsolutePath.ShouldEndWith($"fault-{envelope.Hop}");
            envelope.Header.ShouldBe(expected.Header);
            envelope.DestinationAddress!.AbsolutePath.ShouldEndWith(ProbeQueue);
            envelope.SourceAddress.ShouldNotBeNull();
            envelope.ContentType.ShouldBe("application/vnd.masstransit+json");
            envelope.SentTime.ShouldNotBeNull();
            envelope.SentTime.Value.ShouldBeGreaterThan(sentAt.AddMinutes(-1));
            envelope.ExpirationTime.ShouldNotBeNull();
            (envelope.ExpirationTime.Value - envelope.SentTime.Value).ShouldBe(TimeSpan.FromHours(envelope.Hop), TimeSpan.FromMinutes(1));
            envelope.ConversationId.ShouldBe(origin.ConversationId, "one conversation from the first send on");

            // The AMQP properties come from the stored row's columns (the body above carries its own copy of the envelope).
            Guid.Parse(envelope.Transport.MessageId.ShouldNotBeNull()).ShouldBe(envelope.MessageId.Value, $"hop {envelope.Hop}: message_id");
            Guid.Parse(envelope.Transport.CorrelationId.ShouldNotBeNull()).ShouldBe(expected.CorrelationId, $"hop {envelope.Hop}: correlation_id");
            envelope.Transport.ContentType.ShouldBe("application/vnd.masstransit+json", $"hop {envelope.Hop}: content_type");
            envelope.Transport.Header.ShouldBe(expected.Header, $"hop {envelope.Hop}: headers");
            var ttl = TimeSpan.FromMilliseconds(long.Parse(envelope.Transport.Expiration.ShouldNotBeNull($"hop {envelope.Hop}: expiration")));
            ttl.ShouldBeInRange(TimeSpan.FromHours(envelope.Hop) - TimeSpan.FromMinutes(1), TimeSpan.FromHours(envelope.Hop));
        }

        origin.ConversationId.ShouldNotBeNull();
        // MassTransit makes the consumed message's correlation id (its message id when it has none) the initiator of what
        // a consumer sends.
        received.Skip(1).ShouldAllBe(e => e.InitiatorId == origin.CorrelationId, "the onward probes were sent while consuming the first");
        received.Select(e => e.MessageId).Distinct().Count().ShouldBe(3);
    }
}
