namespace OrderSystem.Messaging.Tests.Contracts;

/// <summary>Same message contract (namespace and name) as the tests' Ping, so the test host consumes it.</summary>
public record Ping(Guid RunId, int Sequence, DateTime? NotBefore = null);
