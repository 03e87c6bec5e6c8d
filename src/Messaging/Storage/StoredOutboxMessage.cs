using MassTransit;
using MassTransit.Metadata;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace OrderSystem.Messaging.Storage;

/// <summary>An outbox row read back, in the shape MassTransit's <see cref="OutboxMessageSendPipe"/> replays.</summary>
internal sealed class StoredOutboxMessage : OutboxMessageContext
{
    private static readonly IReadOnlyDictionary<string, object> NoProperties = new Dictionary<string, object>();
    private readonly DictionarySendHeaders _headers;

    public StoredOutboxMessage(OutboxMessage row)
    {
        Row = row;
        var headers = Deserialize(row.Headers);
        RawHeaders = headers.ToDictionary(h => h.Key, h => (object?)h.Value, StringComparer.OrdinalIgnoreCase);
        _headers = new DictionarySendHeaders(headers.ToDictionary(h => h.Key, h => (object?)h.Value, StringComparer.OrdinalIgnoreCase));
        var properties = Deserialize(row.Properties);
        Properties = properties.Count == 0 ? NoProperties : properties;
        DestinationAddress = ToUri(row.DestinationAddress);
        SourceAddress = ToUri(row.SourceAddress);
        ResponseAddress = ToUri(row.ResponseAddress);
        FaultAddress = ToUri(row.FaultAddress);
    }

    public OutboxMessage Row { get; }

    /// <summary>The stored headers, including the trace context captured at write time.</summary>
    public IReadOnlyDictionary<string, object?> RawHeaders { get; }

    public long SequenceNumber => Row.SequenceNumber;
    public Guid MessageId => Row.MessageId;
    public string ContentType => Row.ContentType;
    public string MessageType => Row.MessageType;
    public string Body => Row.Body;
    public IReadOnlyDictionary<string, object> Properties { get; }

    Guid? MessageContext.MessageId => Row.MessageId;
    public Guid? RequestId => Row.RequestId;
    public Guid? CorrelationId => Row.CorrelationId;
    public Guid? ConversationId => Row.ConversationId;
    public Guid? InitiatorId => Row.InitiatorId;
    public DateTime? ExpirationTime => Row.ExpirationTime;
    public Uri? SourceAddress { get; }
    public Uri? DestinationAddress { get; }
    public Uri? ResponseAddress { get; }
    public Uri? FaultAddress { get; }
    public DateTime? SentTime => Row.SentTime;
    public Headers Headers => _headers;
    public HostInfo Host => HostMetadataCache.Host;

    private static Dictionary<string, object> Deserialize(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        var values = SystemTextJsonMessageSerializer.Instance.DeserializeObject<Dictionary<string, object>>(json);
        return values is null
            ? new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, object>(values, StringComparer.OrdinalIgnoreCase);
    }

    private static Uri? ToUri(string? value) => string.IsNullOrEmpty(value) ? null : new Uri(value);
}
