namespace OrderSystem.Messaging.Tests.Contracts;

public record ReminderDue(Guid ReminderId);
