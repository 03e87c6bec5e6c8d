namespace OrderSystem.Messaging.Benchmarks.Contracts;

/// <summary>The flow's ReserveStock: published by the saga, consumed by its inventory.</summary>
public record FlowReserve(int Sequence);
