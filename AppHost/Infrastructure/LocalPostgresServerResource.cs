namespace OrderSystem.AppHost.Infrastructure;

/// <summary>PostgreSQL run by <c>eng/infra.sh run postgres</c> from the locally installed package.</summary>
internal sealed class LocalPostgresServerResource(string name, string script, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, script, workingDirectory), IResourceWithConnectionString
{
    public const string TcpEndpointName = "tcp";

    public ParameterResource Password => password;

    public EndpointReference Tcp => new(this, TcpEndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Host=127.0.0.1;Port={Tcp.Property(EndpointProperty.Port)};Username=postgres;Password={Password}");
}
