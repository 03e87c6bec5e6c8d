using System.Text.Json.Serialization;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary>A queue as the management API reports it (depth figures are refreshed by the broker every few seconds).</summary>
public sealed record QueueSummary(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("vhost")] string VirtualHost,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("messages")] long? Messages,
    [property: JsonPropertyName("messages_ready")] long? MessagesReady,
    [property: JsonPropertyName("messages_unacknowledged")] long? MessagesUnacknowledged,
    [property: JsonPropertyName("consumers")] long? Consumers);
