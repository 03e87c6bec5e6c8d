namespace OrderSystem.Messaging.Tests.Contracts;

public record EntryRecorded(Guid EntryId);
