using OrderSystem.Ordering;
using OrderSystem.Ordering.Api;
using OrderSystem.Ordering.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddOrderingServices();
builder.AddApiReference("OrderSystem · Ordering API",
    "Place, follow, list and cancel orders. An accepted order (202) is driven by the order saga through stock, payment and notification; follow it with GET /orders/{id}.");

var app = builder.Build();
await app.MigrateDatabaseAsync<OrderingDbContext>();
app.MapDefaultEndpoints();
app.MapOrderingApi();
app.MapApiReference("OrderSystem · Ordering API"); // /openapi/v1.json, /scalar/v1 (GET / leads there)
app.Run();
