namespace OrderSystem.AppHost.Infrastructure;

/// <summary>
/// The broker's and the database's credentials, as Aspire parameters, the same in both modes. Unset, Aspire generates
/// the passwords once and keeps them in this project's user secrets (`dotnet user-secrets list --project AppHost`);
/// the dashboard shows them on the parameter resources.
/// </summary>
internal sealed record InfrastructureCredentials(
    IResourceBuilder<ParameterResource> MessagingUser,
    IResourceBuilder<ParameterResource> MessagingPassword,
    IResourceBuilder<ParameterResource> PostgresPassword)
{
    public static InfrastructureCredentials Add(IDistributedApplicationBuilder builder) => new(
        builder.AddParameter("messaging-username", "ordersystem"),
        builder.AddParameter("messaging-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true),
        builder.AddParameter("postgres-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true));
}
