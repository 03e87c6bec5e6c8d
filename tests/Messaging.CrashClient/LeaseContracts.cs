namespace OrderSystem.Messaging.Tests.Contracts;

/// <summary>Same message contracts (namespace and name) as the tests' lease messages.</summary>
public record OpenLease(Guid LeaseId);

public record CloseLease(Guid LeaseId);

public record LeaseClosed(Guid LeaseId);
