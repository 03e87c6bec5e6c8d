namespace OrderSystem.Messaging.Tests.Contracts;

/// <summary>Asks the test consumer to write one ledger entry (the business effect) and publish <see cref="EntryRecorded"/>.</summary>
/// <param name="FailAttempts">The consumer throws, after writing and publishing, on this many first attempts.</param>
/// <param name="HoldForDuplicate">The consumer waits briefly for a concurrent duplicate to enter (it must not).</param>
public record RecordEntry(Guid EntryId, int FailAttempts = 0, bool HoldForDuplicate = false);
