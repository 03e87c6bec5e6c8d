namespace OrderSystem.Messaging.Tests.CrashTesting;

/// <summary>A row of the crash client's <c>countdown_state</c> saga table.</summary>
public sealed record CountdownRow(string? State, int Starts, int Elapsed);
