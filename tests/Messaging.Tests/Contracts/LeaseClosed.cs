namespace OrderSystem.Messaging.Tests.Contracts;

public record LeaseClosed(Guid LeaseId);
