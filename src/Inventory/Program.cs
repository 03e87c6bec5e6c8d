using OrderSystem.Inventory;
using OrderSystem.Inventory.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddInventoryServices();
builder.AddApiReference("OrderSystem · Inventory",
    "The product catalog and its stock. Reservations are made and released by messages from the order saga, not over HTTP.");

var app = builder.Build();
await app.MigrateDatabaseAsync<InventoryDbContext>();
app.MapDefaultEndpoints();
app.MapInventoryApi();
app.MapApiReference("OrderSystem · Inventory"); // /openapi/v1.json, /scalar/v1 (GET / leads there)
app.Run();
