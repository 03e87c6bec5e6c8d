namespace OrderSystem.Messaging.Tests.Contracts;

/// <summary>Asks <c>AdjustCounterConsumer</c> to add <paramref name="By"/> to a counter row at its pass's commit (and record the entry).</summary>
public record AdjustCounter(Guid EntryId, string Counter, int By);
