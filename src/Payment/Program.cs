using OrderSystem.Payment;
using OrderSystem.Payment.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPaymentServices();

var app = builder.Build();
await app.MigrateDatabaseAsync<PaymentDbContext>();
app.MapDefaultEndpoints();
app.Run();
