namespace OrderSystem.Messaging.Tests.Contracts;

public record CancelReminder(Guid ReminderId);
