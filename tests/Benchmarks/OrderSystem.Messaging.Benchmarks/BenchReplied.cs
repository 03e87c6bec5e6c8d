namespace OrderSystem.Messaging.Benchmarks.Contracts;

public record BenchReplied(int Sequence);
