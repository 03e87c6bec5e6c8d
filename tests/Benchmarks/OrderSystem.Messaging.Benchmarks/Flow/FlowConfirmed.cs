namespace OrderSystem.Messaging.Benchmarks.Contracts;

/// <summary>The flow's OrderConfirmed: published by the saga, consumed by its notifier and its inventory (the sale).</summary>
public record FlowConfirmed(int Sequence);
