namespace OrderSystem.Messaging.Tests.Contracts;

/// <summary>Same message contracts (namespace and name) as the tests' RecordEntry and EntryRecorded.</summary>
public record RecordEntry(Guid EntryId, int FailAttempts = 0, bool HoldForDuplicate = false);

public record EntryRecorded(Guid EntryId);
