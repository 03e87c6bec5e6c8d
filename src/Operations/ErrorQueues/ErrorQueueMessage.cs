using System.Text.Json;
using RabbitMQ.Client;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// One message taken from an error queue and held unacknowledged: its AMQP properties and body as they are, plus what
/// an operator wants to know, read from MassTransit's envelope and fault headers.
/// </summary>
public sealed class ErrorQueueMessage
{
    public ErrorQueueMessage(ulong deliveryTag, int position, string errorQueue, IReadOnlyBasicProperties properties, byte[] body)
    {
        DeliveryTag = deliveryTag;
        Position = position;
        ErrorQueue = errorQueue;
        Properties = properties;
        Body = body;
        var envelope = ReadEnvelope(properties, body);
        MessageId = properties.MessageId ?? envelope.MessageId;
        MessageTypes = envelope.MessageTypes.Count > 0
            ? envelope.MessageTypes
            : (Header(FaultHeaders.MessageType)?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? []);
        SentTime = envelope.SentTime;
    }

    public ulong DeliveryTag { get; }

    /// <summary>1-based position in the error queue when it was read.</summary>
    public int Position { get; }

    public string ErrorQueue { get; }
    public IReadOnlyBasicProperties Properties { get; }
    public byte[] Body { get; }
    public string? MessageId { get; }

    /// <summary>The envelope's message types, most specific first (urn:message:Namespace:Type).</summary>
    public IReadOnlyList<string> MessageTypes { get; }

    public string? SentTime { get; }

    public string? ExceptionType => Header(FaultHeaders.ExceptionType);
    public string? ExceptionMessage => Header(FaultHeaders.Message);
    public string? Reason => Header(FaultHeaders.Reason);
    public string? ConsumerType => Header(FaultHeaders.ConsumerType);
    public string? InputAddress => Header(FaultHeaders.InputAddress);
    /// <summary>When it last failed: <c>MT-Fault-Timestamp</c>, else, for a message RabbitMQ dead-lettered, when it did.</summary>
    public string? FaultedAt => Header(FaultHeaders.Timestamp) ?? DeadLetteredAt?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
    public string? FirstFaultedAt => Header(FaultHeaders.FirstFaultTimestamp) ?? FaultedAt;

    /// <summary>Immediate retries MassTransit made before giving up (MT-Fault-RetryCount; absent without retry).</summary>
    public long? RetryCount => HeaderLong(FaultHeaders.RetryCount);

    /// <summary>Delayed redeliveries before the final fault (MT-Redelivery-Count; absent without redelivery).</summary>
    public long? RedeliveryCount => HeaderLong(FaultHeaders.RedeliveryCount);

    public long RedriveCount => HeaderLong(FaultHeaders.RedriveCount) ?? 0;

    /// <summary>
    /// Why RabbitMQ dead-lettered the message itself (<c>x-first-death-reason</c>, else the newest <c>x-death</c> entry):
    /// <c>delivery_limit</c> (a quorum queue handed it out too often without an acknowledgement), <c>rejected</c>,
    /// <c>expired</c> or <c>maxlen</c>. Null when MassTransit moved it (then the MT-Fault-* headers say why).
    /// </summary>
    public string? DeadLetterReason => Header(FaultHeaders.FirstDeathReason) ?? DeathField("reason");

    /// <summary>The queue RabbitMQ dead-lettered it from (<c>x-first-death-queue</c>, else the <c>x-death</c> entry's).</summary>
    public string? DeadLetteredFrom => Header(FaultHeaders.FirstDeathQueue) ?? DeathField("queue");

    /// <summary>When RabbitMQ dead-lettered it (the <c>x-death</c> entry's time, to the second).</summary>
    public DateTimeOffset? DeadLetteredAt =>
        Death() is { } death && death.TryGetValue("time", out var time) && time is AmqpTimestamp stamp ? DateTimeOffset.FromUnixTimeSeconds(stamp.UnixTime) : null;

    /// <summary>
    /// Deliveries to the consumer that faulted, as far as the headers tell: one, plus the immediate retries of the last
    /// round, plus one per delayed redelivery. Null when the message carries no fault headers at all.
    /// </summary>
    public long? Attempts => ExceptionType is null && RetryCount is null ? null : 1 + (RetryCount ?? 0) + (RedeliveryCount ?? 0);

    /// <summary>
    /// The queue the message failed in: the last path segment of MT-Fault-InputAddress (MassTransit's receive endpoint
    /// address, rabbitmq://host/vhost/queue?…), else the queue RabbitMQ dead-lettered it from, else the dead-letter
    /// queue's name without "_error" or "_skipped".
    /// </summary>
    public string SourceQueue
    {
        get
        {
            if (Uri.TryCreate(InputAddress, UriKind.Absolute, out var input))
            {
                var segment = input.AbsolutePath.TrimEnd('/').Split('/').LastOrDefault();
                if (!string.IsNullOrEmpty(segment)) return Uri.UnescapeDataString(segment);
            }

            return DeadLetteredFrom ?? DeadLetterQueueNames.SourceQueueOf(ErrorQueue);
        }
    }

    /// <summary>The most specific message type without the <c>urn:message:</c> prefix ("Namespace:Type"), or "(unknown type)".</summary>
    public string ShortType => MessageTypes.Count == 0 ? "(unknown type)" : MessageTypes[0].Replace("urn:message:", "", StringComparison.Ordinal);

    /// <summary>
    /// When it first failed: <c>x-first-fault-timestamp</c> (kept across re-drives), else <c>MT-Fault-Timestamp</c>, else,
    /// for a message without fault headers (a skipped one), when it was sent.
    /// </summary>
    public DateTimeOffset? FirstSeen => ParseTime(FirstFaultedAt) ?? SentAt;

    /// <summary>When it last failed: <c>MT-Fault-Timestamp</c>, else when it was sent.</summary>
    public DateTimeOffset? LastSeen => ParseTime(FaultedAt) ?? SentAt;

    private DateTimeOffset? SentAt =>
        ParseTime(SentTime) ?? (Properties.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(Properties.Timestamp.UnixTime) : null);

    public string? Header(string name) => HeaderValue.Get(Properties, name);

    /// <summary>The newest entry of RabbitMQ's <c>x-death</c> list (it puts the latest first).</summary>
    private IDictionary<string, object?>? Death() =>
        Properties.Headers is { } headers && headers.TryGetValue(FaultHeaders.Death, out var value) && value is System.Collections.IEnumerable list
            ? list.OfType<IDictionary<string, object?>>().FirstOrDefault()
            : null;

    private string? DeathField(string name) => Death() is { } death && death.TryGetValue(name, out var value) ? HeaderValue.AsString(value) : null;

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;

    private long? HeaderLong(string name) =>
        Properties.Headers is { } headers && headers.TryGetValue(name, out var value) ? HeaderValue.AsLong(value) : null;

    /// <summary>
    /// Whether <paramref name="type"/> names one of the message's types: the full URN, "Namespace:Type",
    /// "Namespace.Type", or the bare type name.
    /// </summary>
    public bool HasMessageType(string type) => MessageTypes.Any(urn =>
    {
        var name = urn.StartsWith("urn:message:", StringComparison.Ordinal) ? urn["urn:message:".Length..] : urn;
        var bare = name[(name.LastIndexOf(':') + 1)..];
        return type == urn || type == name || type == name.Replace(':', '.') || type == bare;
    });

    private static Envelope ReadEnvelope(IReadOnlyBasicProperties properties, byte[] body)
    {
        if (properties.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true) return Envelope.None;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Envelope.None;
            string? Text(string name) => root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            var types = root.TryGetProperty("messageType", out var t) && t.ValueKind == JsonValueKind.Array
                ? t.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
                : [];
            return new Envelope(Text("messageId"), types, Text("sentTime"));
        }
        catch (JsonException)
        {
            return Envelope.None;
        }
    }

    private sealed record Envelope(string? MessageId, IReadOnlyList<string> MessageTypes, string? SentTime)
    {
        public static readonly Envelope None = new(null, [], null);
    }
}
