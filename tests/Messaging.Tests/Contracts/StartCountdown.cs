namespace OrderSystem.Messaging.Tests.Contracts;

public record StartCountdown(Guid CountdownId, TimeSpan Delay);
