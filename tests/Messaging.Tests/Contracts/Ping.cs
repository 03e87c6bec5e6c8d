namespace OrderSystem.Messaging.Tests.Contracts;

/// <summary>A message tests send, publish or schedule and then watch arrive.</summary>
public record Ping(Guid RunId, int Sequence, DateTime? NotBefore = null);
