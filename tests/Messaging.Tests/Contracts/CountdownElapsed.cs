namespace OrderSystem.Messaging.Tests.Contracts;

public record CountdownElapsed(Guid CountdownId);
