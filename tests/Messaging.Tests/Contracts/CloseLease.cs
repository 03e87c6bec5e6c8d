namespace OrderSystem.Messaging.Tests.Contracts;

public record CloseLease(Guid LeaseId);
