using OrderSystem.Inventory;
using OrderSystem.Inventory.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddInventoryServices();

var app = builder.Build();
await app.MigrateDatabaseAsync<InventoryDbContext>();
app.MapDefaultEndpoints();
app.MapInventoryApi();
app.Run();
