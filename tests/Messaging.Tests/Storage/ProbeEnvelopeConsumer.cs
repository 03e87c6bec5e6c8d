using System.Collections.Concurrent;
using System.Text;
using MassTransit;
using OrderSystem.Messaging.Tests.Contracts;

namespace OrderSystem.Messaging.Tests.Storage;

/// <summary>
/// Records each probe's envelope; at hop 1 sends the onward probes to its own queue, each with every envelope field
/// the outbox stores set to a value of its own (<see cref="Expected"/>).
/// </summary>
public sealed class ProbeEnvelopeConsumer : IConsumer<ProbeEnvelope>
{
    public const string Header = "x-probe";
    public static readonly ConcurrentQueue<ReceivedEnvelope> Received = new();

    public async Task Consume(ConsumeContext<ProbeEnvelope> context)
    {
        var (run, hop, onward) = context.Message;
        Received.Enqueue(new ReceivedEnvelope(run, hop, context.MessageId, context.ConversationId, context.CorrelationId,
            context.InitiatorId, context.RequestId, context.SourceAddress, context.DestinationAddress, context.ResponseAddress,
            context.FaultAddress, context.ExpirationTime, context.SentTime, context.Headers.Get<string>(Header),
            context.ReceiveContext.ContentType?.MediaType, Transport(context)));

        for (var next = 2; next <= 1 + onward; next++)
        {
            var expected = Expected(run, next);
            await context.Send(context.ReceiveContext.InputAddress, new ProbeEnvelope(run, next), send =>
            {
                send.CorrelationId = expected.CorrelationId;
                send.RequestId = expected.RequestId;
                send.ResponseAddress = expected.ResponseAddress;
                send.FaultAddress = expected.FaultAddress;
                send.TimeToLive = TimeSpan.FromHours(next);
                send.Headers.Set(Header, expected.Header);
            });
        }
    }

    private static TransportProperties Transport(ConsumeContext context)
    {
        if (!context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var basic))
            return new TransportProperties(null, null, null, null, null);
        var properties = basic.Properties;
        var header = properties.Headers is { } headers && headers.TryGetValue(Header, out var value)
            ? value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value?.ToString()
            : null;
        return new TransportProperties(properties.MessageId, properties.CorrelationId, properties.ContentType, properties.Expiration, header);
    }

    /// <summary>The envelope values a probe of run <paramref name="run"/> and hop <paramref name="hop"/> is sent with.</summary>
    public static (Guid CorrelationId, Guid RequestId, Uri ResponseAddress, Uri FaultAddress, string Header) Expected(Guid run, int hop) =>
        (Derived(run, hop, 1), Derived(run, hop, 2), new Uri($"queue:respond-{hop}"), new Uri($"queue:fault-{hop}"), $"hop {hop} of {run:N}");

    private static Guid Derived(Guid run, int hop, int field)
    {
        var bytes = run.ToByteArray();
        bytes[0] ^= (byte)hop;
        bytes[1] ^= (byte)field;
        return new Guid(bytes);
    }
}
