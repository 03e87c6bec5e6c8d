namespace OrderSystem.Messaging.Sagas.Tests.Counter;

// Test-only messages for the counter saga. (The system's own contracts live in src/Contracts.)

/// <summary>Creates the counter (or counts one more start): the state machine adds the instance, the repository saves it.</summary>
public record CounterStarted(Guid CounterId, string Name);

/// <summary>Same as <see cref="CounterStarted"/>, but configured with InsertOnInitial: the repository inserts the
/// instance before the state machine runs.</summary>
public record CounterOpened(Guid CounterId, string Name);

public record CounterIncremented(Guid CounterId);

/// <summary>Correlated by the counter's name, not its id: exercises query correlation.</summary>
public record NamedCounterIncremented(string Name);

public record CounterClosed(Guid CounterId);
