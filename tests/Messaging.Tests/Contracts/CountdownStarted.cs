namespace OrderSystem.Messaging.Tests.Contracts;

public record CountdownStarted(Guid CountdownId);
