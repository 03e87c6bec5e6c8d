using Aspire.Hosting.ApplicationModel;

// The whole system, declared: `dotnet run --project AppHost` (needs Docker or Podman).
// Every service receives exactly what eng/run.sh gives it without Docker: ConnectionStrings__messaging,
// ConnectionStrings__<its database>, and the OTEL_* variables that point at the Aspire dashboard. Notification also
// gets ConnectionStrings__smtp (MailPit here; without it, it logs e-mails instead of sending them).
var builder = DistributedApplication.CreateBuilder(args);

// Credentials are parameters. Unset, Aspire generates the passwords once and keeps them in this project's user secrets;
// set your own with `dotnet user-secrets set Parameters:messaging-password …` (or Parameters__messaging-password).
var messagingUser = builder.AddParameter("messaging-username", "ordersystem");
var messagingPassword = builder.AddParameter("messaging-password",
    new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);
var postgresPassword = builder.AddParameter("postgres-password",
    new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);

var messaging = builder.AddRabbitMQ("messaging", messagingUser, messagingPassword)
    .WithManagementPlugin()
    .WithDataVolume();

var postgres = builder.AddPostgres("postgres", password: postgresPassword)
    .WithDataVolume()
    .WithPgWeb();
var orderDb = postgres.AddDatabase("orderdb");
var inventoryDb = postgres.AddDatabase("inventorydb");
var paymentDb = postgres.AddDatabase("paymentdb");
var notificationDb = postgres.AddDatabase("notificationdb");

// MailPit catches every e-mail Notification sends (SMTP on "smtp"); its web UI ("http") lists them.
var smtp = builder.AddContainer("smtp", "axllent/mailpit")
    .WithHttpEndpoint(targetPort: 8025, name: "http")
    .WithEndpoint(targetPort: 1025, name: "smtp", scheme: "smtp");

builder.AddProject<Projects.OrderSystem_Ordering>("ordering")
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(orderDb).WaitFor(orderDb)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

builder.AddProject<Projects.OrderSystem_Inventory>("inventory")
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(inventoryDb).WaitFor(inventoryDb)
    .WithReplicas(2) // competing consumers on one queue; the inbox and per-order keys keep effects single
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.OrderSystem_Payment>("payment")
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(paymentDb).WaitFor(paymentDb)
    .WithReplicas(2) // competing consumers on one queue; the inbox and per-order keys keep effects single
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.OrderSystem_Notification>("notification")
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(notificationDb).WaitFor(notificationDb)
    .WithEnvironment("ConnectionStrings__smtp", smtp.GetEndpoint("smtp")).WaitFor(smtp)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
