namespace OrderSystem.AppHost.Infrastructure;

internal static class InfrastructureExtensions
{
    /// <summary>RabbitMQ and PostgreSQL, as containers or as local processes (see <see cref="InfrastructureModeDetection"/>).</summary>
    public static OrderSystemInfrastructure AddOrderSystemInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var credentials = InfrastructureCredentials.Add(builder);
        return InfrastructureModeDetection.Resolve(builder.Configuration) switch
        {
            InfrastructureMode.Containers => ContainerInfrastructure.Add(builder, credentials),
            _ => LocalInfrastructure.Add(builder, credentials),
        };
    }
}
