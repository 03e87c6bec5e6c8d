namespace OrderSystem.Messaging.Benchmarks.Contracts;

/// <summary>The flow's StockReserved: published by its inventory, consumed by the saga.</summary>
public record FlowReserved(int Sequence);
