namespace OrderSystem.Messaging.Delivery;

/// <summary>A message could not be handed to the broker; it stays in the database and is retried.</summary>
public sealed class OutboxDeliveryException(string message, Exception inner) : Exception(message, inner);
