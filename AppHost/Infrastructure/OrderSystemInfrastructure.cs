namespace OrderSystem.AppHost.Infrastructure;

/// <summary>
/// What the services are given, whichever way the infrastructure runs: the broker as <c>messaging</c>, one database
/// per service, (with containers) an SMTP server, and when the broker is a cluster its nodes (<c>Messaging:ClusterNodes</c>).
/// </summary>
internal sealed record OrderSystemInfrastructure(
    InfrastructureMode Mode,
    IResourceBuilder<IResourceWithConnectionString> Messaging,
    IReadOnlyDictionary<string, IResourceBuilder<IResourceWithConnectionString>> Databases,
    EndpointReference? Smtp = null,
    IResourceBuilder<IResource>? SmtpResource = null,
    string? LocalDataDirectory = null,
    string? MessagingClusterNodes = null)
{
    /// <summary>The databases, one per service; their names are the connection-string names the services read.</summary>
    public static readonly string[] DatabaseNames = ["orderdb", "inventorydb", "paymentdb", "notificationdb"];

    public IResourceBuilder<IResourceWithConnectionString> Database(string name) =>
        Databases.TryGetValue(name, out var db) ? db : throw new ArgumentException($"No database '{name}' is declared.", nameof(name));
}
