using OrderSystem.Notification;
using OrderSystem.Notification.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNotificationServices();
builder.AddApiReference("OrderSystem · Notification",
    "What was sent to customers about their orders, and (in Development) the demo switch that makes a customer's mail fail on purpose.");

var app = builder.Build();
await app.MigrateDatabaseAsync<NotificationDbContext>();
app.MapDefaultEndpoints();
app.MapNotificationApi();
app.MapApiReference("OrderSystem · Notification"); // /openapi/v1.json, /scalar/v1 (GET / leads there)
app.Run();
