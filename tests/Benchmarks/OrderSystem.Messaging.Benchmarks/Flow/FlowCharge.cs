namespace OrderSystem.Messaging.Benchmarks.Contracts;

/// <summary>The flow's ChargePayment: published by the saga, consumed by its payment.</summary>
public record FlowCharge(int Sequence);
