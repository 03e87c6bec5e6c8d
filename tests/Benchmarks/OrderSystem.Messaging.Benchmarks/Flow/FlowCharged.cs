namespace OrderSystem.Messaging.Benchmarks.Contracts;

/// <summary>The flow's PaymentCompleted: published by its payment, consumed by the saga.</summary>
public record FlowCharged(int Sequence);
