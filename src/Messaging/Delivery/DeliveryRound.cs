namespace OrderSystem.Messaging.Delivery;

/// <summary>What one delivery round did: messages sent, and whether it stopped at its limit with more possibly waiting.</summary>
internal readonly record struct DeliveryRound(int Sent, bool More);
