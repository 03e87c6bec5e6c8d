namespace OrderSystem.Messaging.Benchmarks.Contracts;

/// <summary>The flow's OrderSubmitted: published by the client, consumed by the flow's saga and its notifier.</summary>
public record FlowSubmitted(int Sequence);
