namespace OrderSystem.Chaos.Faults;

/// <summary>
/// One injected fault as measured: when the process was killed, how long until everything was healthy again, how many
/// accepted orders were not terminal at that moment, and how long (from the kill) until all of them were.
/// </summary>
public sealed record FaultResult(
    FaultTarget Target,
    DateTimeOffset KilledAt,
    TimeSpan RecoveredAfter,
    int WaitingAtRecovery,
    TimeSpan? DrainedAfter,
    int AcceptedBefore,
    IReadOnlyDictionary<string, int> ClientRetries);
