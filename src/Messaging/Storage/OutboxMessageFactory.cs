using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;
using OrderSystem.Messaging.Diagnostics;

namespace OrderSystem.Messaging.Storage;

/// <summary>Turns a MassTransit send context (already serialised for its transport) into an outbox row.</summary>
internal static class OutboxMessageFactory
{
    public static OutboxMessage Create<T>(SendContext<T> context)
        where T : class
    {
        if (context.MessageId is null) throw new MessageException(typeof(T), "The outbox needs a MessageId on every message.");

        var now = DateTime.UtcNow;
        var body = context.Serializer.GetMessageBody(context);
        var row = new OutboxMessage
        {
            MessageId = context.MessageId.Value,
            ConversationId = context.ConversationId,
            CorrelationId = context.CorrelationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress?.ToString(),
            DestinationAddress = context.DestinationAddress?.ToString(),
            ResponseAddress = context.ResponseAddress?.ToString(),
            FaultAddress = context.FaultAddress?.ToString(),
            SentTime = (context.SentTime ?? now).ToUniversalTime(),
            ContentType = context.ContentType?.ToString() ?? context.Serialization.DefaultContentType.ToString(),
            MessageType = string.Join(";", context.SupportedMessageTypes ?? []),
            Body = body.GetString(),
        };

        if (context.TimeToLive is { } ttl) row.ExpirationTime = now + ttl;

        // A send with a delay, or one made through a scheduler (it sets the token), becomes a scheduled message: held
        // in the database until due, then sent without a transport delay (our broker has no delayed-exchange plugin).
        if (context.Delay is { } delay && delay > TimeSpan.Zero || context.ScheduledMessageId.HasValue)
        {
            // PostgreSQL keeps microseconds: round up, so that truncation never makes a message due early.
            var enqueue = now + (context.Delay is { } d && d > TimeSpan.Zero ? d : TimeSpan.Zero);
            row.EnqueueTime = enqueue.AddTicks((10 - enqueue.Ticks % 10) % 10);
            row.ScheduleTokenId = context.ScheduledMessageId ?? context.MessageId;
        }

        var headers = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in context.Headers.GetAll())
            if (header.Value is not null) headers[header.Key] = header.Value;
        TraceCarrier.Capture(headers);
        row.Headers = Serialize(headers);

        if (context is TransportSendContext<T> transport)
        {
            var properties = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            transport.WritePropertiesTo(properties);
            if (properties.Count > 0) row.Properties = Serialize(properties);
        }

        return row;
    }

    private static string Serialize(Dictionary<string, object> values) =>
        SystemTextJsonMessageSerializer.Instance.SerializeObject(values).GetString();
}
