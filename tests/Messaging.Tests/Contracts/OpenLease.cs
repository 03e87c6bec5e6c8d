namespace OrderSystem.Messaging.Tests.Contracts;

public record OpenLease(Guid LeaseId);
