namespace OrderSystem.Messaging.Benchmarks.Contracts;

/// <summary>A bus-outbox message whose commit → delivered latency is measured.</summary>
public record BenchPing(int Sequence);
