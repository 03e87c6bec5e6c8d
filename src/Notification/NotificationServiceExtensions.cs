using OrderSystem.Messaging.Bus;
using OrderSystem.Notification.Persistence;

namespace OrderSystem.Notification;

/// <summary>Everything the Notification service registers, in one place (Program.cs stays a few lines).</summary>
public static class NotificationServiceExtensions
{
    /// <summary>Connection-string name of this service's database, as the AppHost declares it.</summary>
    public const string DatabaseName = "notificationdb";

    public static IHostApplicationBuilder AddNotificationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<NotificationDbContext>(DatabaseName);
        builder.AddMessageBus(bus =>
        {
        });
        return builder;
    }
}
