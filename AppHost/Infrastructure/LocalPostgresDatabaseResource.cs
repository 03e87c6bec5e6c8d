namespace OrderSystem.AppHost.Infrastructure;

/// <summary>One service's database on the local PostgreSQL; created when the server is ready (as <c>AddDatabase</c> does).</summary>
internal sealed class LocalPostgresDatabaseResource(string name, LocalPostgresServerResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresServerResource>, IResourceWithConnectionString
{
    public LocalPostgresServerResource Parent => parent;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={Name}");
}
