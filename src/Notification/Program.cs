using OrderSystem.Notification;
using OrderSystem.Notification.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNotificationServices();

var app = builder.Build();
await app.MigrateDatabaseAsync<NotificationDbContext>();
app.MapDefaultEndpoints();
app.MapNotificationApi();
app.Run();
