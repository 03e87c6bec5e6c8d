namespace OrderSystem.Messaging.Tests.Storage;

/// <summary>
/// The envelope a probe arrived with: as the consumer's <c>ConsumeContext</c> read it from the message body, and the
/// AMQP properties the sender set from the stored row (<see cref="Transport"/>).
/// </summary>
public sealed record ReceivedEnvelope(
    Guid RunId,
    int Hop,
    Guid? MessageId,
    Guid? ConversationId,
    Guid? CorrelationId,
    Guid? InitiatorId,
    Guid? RequestId,
    Uri? SourceAddress,
    Uri? DestinationAddress,
    Uri? ResponseAddress,
    Uri? FaultAddress,
    DateTime? ExpirationTime,
    DateTime? SentTime,
    string? Header,
    string? ContentType,
    TransportProperties Transport);

/// <summary>The AMQP properties of a delivery: what the outbox's send set from the stored row's columns.</summary>
public sealed record TransportProperties(string? MessageId, string? CorrelationId, string? ContentType, string? Expiration, string? Header);
