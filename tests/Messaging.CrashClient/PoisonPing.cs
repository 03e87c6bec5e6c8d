namespace OrderSystem.Messaging.CrashClient;

/// <summary>The sequence number of the <c>Ping</c> that kills the process (<see cref="PoisonPingConsumer"/>).</summary>
public sealed record PoisonPing(int Sequence);
