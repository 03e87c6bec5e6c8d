namespace OrderSystem.Messaging.Delivery;

/// <summary>Placeholder message type for a replayed send: the replay pipe supplies the real body and message types.</summary>
internal sealed class OutboxEnvelope;
