using OrderSystem.Ordering;
using OrderSystem.Ordering.Persistence;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddOrderingServices();
builder.Services.AddOpenApi();

var app = builder.Build();
await app.MigrateDatabaseAsync<OrderingDbContext>();
app.MapDefaultEndpoints();
app.MapOrderingApi();
app.MapOpenApi();            // /openapi/v1.json
app.MapScalarApiReference(); // /scalar/v1: browse and try the API
app.Run();
