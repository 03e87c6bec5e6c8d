namespace OrderSystem.Messaging.Tests.CrashTesting;

/// <summary>A row of the crash client's <c>lease_state</c> saga table.</summary>
public sealed record LeaseRow(string? State, int Opens);
