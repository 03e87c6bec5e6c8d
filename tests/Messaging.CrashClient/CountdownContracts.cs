namespace OrderSystem.Messaging.Tests.Contracts;

/// <summary>Same message contracts (namespace and name) as the tests' countdown messages.</summary>
public record StartCountdown(Guid CountdownId, TimeSpan Delay);

public record CancelCountdown(Guid CountdownId);

public record CountdownStarted(Guid CountdownId);

public record CountdownElapsed(Guid CountdownId);
