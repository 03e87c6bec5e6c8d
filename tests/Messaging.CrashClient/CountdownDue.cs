namespace OrderSystem.Messaging.CrashClient;

/// <summary>The countdown's timeout, scheduled through the durable scheduler.</summary>
public record CountdownDue(Guid CountdownId);
