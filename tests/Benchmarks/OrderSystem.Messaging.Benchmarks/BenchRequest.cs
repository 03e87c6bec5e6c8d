namespace OrderSystem.Messaging.Benchmarks.Contracts;

/// <summary>Asks the measured consumer to publish a <see cref="BenchReplied"/>.</summary>
public record BenchRequest(int Sequence);
