using OrderSystem.AppHost.Operations;

namespace OrderSystem.AppHost.Infrastructure;

/// <summary>RabbitMQ (with its management UI), PostgreSQL (with PgWeb) and MailPit as containers.</summary>
internal static class ContainerInfrastructure
{
    public static OrderSystemInfrastructure Add(IDistributedApplicationBuilder builder, InfrastructureCredentials credentials)
    {
        var messaging = builder.AddRabbitMQ("messaging", credentials.MessagingUser, credentials.MessagingPassword)
            .WithManagementPlugin()
            .WithDataVolume()
            .WithDeadLetterCommands();

        var postgres = builder.AddPostgres("postgres", password: credentials.PostgresPassword)
            .WithDataVolume()
            .WithPgWeb();
        var databases = OrderSystemInfrastructure.DatabaseNames.ToDictionary(
            name => name, IResourceBuilder<IResourceWithConnectionString> (name) => postgres.AddDatabase(name));

        // MailPit catches every e-mail Notification sends (SMTP on "smtp"); its web UI ("http") lists them.
        var smtp = builder.AddContainer("smtp", "axllent/mailpit")
            .WithHttpEndpoint(targetPort: 8025, name: "http")
            .WithEndpoint(targetPort: 1025, name: "smtp", scheme: "smtp");

        return new OrderSystemInfrastructure(InfrastructureMode.Containers, messaging, databases, smtp.GetEndpoint("smtp"), smtp);
    }
}
