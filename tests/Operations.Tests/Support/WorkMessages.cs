namespace OrderSystem.Operations.Tests.Support;

/// <summary>A test message the <see cref="WorkConsumer"/> fails on while its key is marked failing.</summary>
public record DoWork(string Key);

/// <summary>A second message type, to select by type.</summary>
public record CheckWork(string Key);
