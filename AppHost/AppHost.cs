using Microsoft.Extensions.Configuration;
using OrderSystem.AppHost;
using OrderSystem.AppHost.Infrastructure;
using OrderSystem.AppHost.Operations;

// The whole system, declared. `dotnet run --project AppHost` (or eng/run.sh, which installs what is missing first)
// starts RabbitMQ, PostgreSQL and the four services and opens the Aspire dashboard. RabbitMQ and PostgreSQL run as
// containers when a container runtime is healthy, and as local processes otherwise (Infrastructure/); the services
// receive the same configuration either way: ConnectionStrings__messaging, ConnectionStrings__<their database>, and
// the OTEL_* variables that point them at the dashboard.
var builder = DistributedApplication.CreateBuilder(args);

var infrastructure = builder.AddOrderSystemInfrastructure();
var replicas = builder.Configuration.GetValue("ServiceReplicas", 1);

var ordering = builder.AddService<Projects.OrderSystem_Ordering>("ordering", infrastructure, "orderdb")
    .WithUrlForEndpoint("http", url => url.DisplayText = "Orders API")
    .WithUrl("/scalar/v1", "API reference (Scalar)");

// The key of Inventory's operator endpoints (restock, set stock, add a product): generated once, kept in user secrets.
var operatorApiKey = builder.AddParameter("inventory-operator-api-key",
    new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

var inventory = builder.AddService<Projects.OrderSystem_Inventory>("inventory", infrastructure, "inventorydb")
    .WithEnvironment("Inventory__OperatorApiKey", operatorApiKey)
    .WithReplicas(replicas); // more than one: competing consumers on one queue; the inbox and per-order keys keep effects single

builder.AddService<Projects.OrderSystem_Payment>("payment", infrastructure, "paymentdb")
    .WithReplicas(replicas);

var notification = builder.AddService<Projects.OrderSystem_Notification>("notification", infrastructure, "notificationdb");
if (infrastructure.Smtp is { } smtp)
{
    // MailPit catches every e-mail; without it Notification logs each e-mail and records it (GET /notifications).
    notification.WithEnvironment("ConnectionStrings__smtp", smtp).WaitFor(infrastructure.SmtpResource!);
}

// The shop's page (http://localhost:5104, from its launch profile): it reaches Ordering and Inventory over their HTTP
// APIs, by service discovery, and follows orders through Ordering's GET /orders/events; no broker, no database.
builder.AddProject<Projects.OrderSystem_Storefront>("storefront")
    .WithReference(ordering).WaitFor(ordering)
    .WithReference(inventory).WaitFor(inventory)
    .WithHttpHealthCheck("/health")
    .WithConfiguredPort()
    .WithUrlForEndpoint("http", url => url.DisplayText = "Storefront");

string[] services = ["ordering", "inventory", "payment", "notification"];
builder.ShowDeadLetterDepths(infrastructure.Messaging.Resource, services);
builder.PrintWhenRunning(infrastructure, [.. services, "storefront"]);

builder.Build().Run();
