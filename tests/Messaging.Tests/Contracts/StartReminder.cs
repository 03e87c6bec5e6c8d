namespace OrderSystem.Messaging.Tests.Contracts;

public record StartReminder(Guid ReminderId, TimeSpan Delay);
