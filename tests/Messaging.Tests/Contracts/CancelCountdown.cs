namespace OrderSystem.Messaging.Tests.Contracts;

public record CancelCountdown(Guid CountdownId);
