using MassTransit;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Messaging.Bus;
using OrderSystem.Notification.Demo;
using OrderSystem.Notification.Email;
using OrderSystem.Notification.Notifications;
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
        builder.AddEmail();
        builder.Services.AddScoped<OrderNotifier>();
        builder.AddBaggageAttributes(OrderBaggage.OrderId); // order.id on every span and log record (docs/observability.md)
        builder.AddMessageBus<NotificationDbContext>(bus =>
        {
            bus.AddConsumer<OrderSubmittedConsumer, NotificationConsumerDefinition<OrderSubmittedConsumer>>();
            bus.AddConsumer<OrderConfirmedConsumer, NotificationConsumerDefinition<OrderConfirmedConsumer>>();
            bus.AddConsumer<OrderCancelledConsumer, NotificationConsumerDefinition<OrderCancelledConsumer>>();
            bus.AddConsumer<OrderRejectedConsumer, NotificationConsumerDefinition<OrderRejectedConsumer>>();
        });
        return builder;
    }

    public static WebApplication MapNotificationApi(this WebApplication app)
    {
        app.MapNotificationsApi();
        if (app.Configuration.GetValue(DemoApi.EnabledKey, app.Environment.IsDevelopment())) app.MapDemoApi();
        return app;
    }

    /// <summary>SMTP when <c>ConnectionStrings:smtp</c> or <c>Notification:Email:SmtpHost</c> is set; the log otherwise.</summary>
    private static void AddEmail(this IHostApplicationBuilder builder)
    {
        var options = builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section);
        var fromConnectionString = SmtpEndpoint.TryParse(builder.Configuration.GetConnectionString(EmailOptions.ConnectionName), out var host, out var port);
        if (fromConnectionString)
        {
            options.PostConfigure(o =>
            {
                o.SmtpHost = host;
                o.SmtpPort = port;
            });
        }

        if (fromConnectionString || !string.IsNullOrWhiteSpace(builder.Configuration[$"{EmailOptions.Section}:SmtpHost"]))
            builder.Services.AddSingleton<SmtpEmailSender>().AddSingleton(AllowingOutages<SmtpEmailSender>);
        else
            builder.Services.AddSingleton<LogEmailSender>().AddSingleton(AllowingOutages<LogEmailSender>);
        builder.Services.AddSingleton<MailOutage>();
    }

    /// <summary>The sender behind the demo switch (<see cref="MailOutage"/>; nobody's mail is refused until it is turned on).</summary>
    private static IEmailSender AllowingOutages<TSender>(IServiceProvider services) where TSender : IEmailSender =>
        new MailOutageEmailSender(services.GetRequiredService<TSender>(), services.GetRequiredService<MailOutage>());
}
