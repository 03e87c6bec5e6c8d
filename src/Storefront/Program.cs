using OrderSystem.Storefront;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddStorefrontServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.UseDefaultFiles(); // GET / is wwwroot/index.html
app.UseStaticFiles();
app.MapStorefrontApi();
app.Run();
