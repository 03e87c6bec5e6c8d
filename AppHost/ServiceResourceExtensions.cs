using Microsoft.Extensions.Configuration;
using OrderSystem.AppHost.Infrastructure;

namespace OrderSystem.AppHost;

/// <summary>How every service is declared: the broker, its own database, started once both are healthy.</summary>
internal static class ServiceResourceExtensions
{
    public static IResourceBuilder<ProjectResource> AddService<TProject>(
        this IDistributedApplicationBuilder builder, string name, OrderSystemInfrastructure infrastructure, string database)
        where TProject : IProjectMetadata, new()
    {
        var db = infrastructure.Database(database);
        var service = builder.AddProject<TProject>(name)
            .WithReference(infrastructure.Messaging).WaitFor(infrastructure.Messaging)
            .WithReference(db).WaitFor(db)
            .WithHttpHealthCheck("/health");

        // The documented local ports come from each service's launch profile (5100–5103); ServicePorts:<name> moves one.
        if (builder.Configuration.GetValue<int?>($"ServicePorts:{name}") is { } port)
        {
            service.WithEndpoint("http", endpoint => endpoint.Port = port);
        }

        return service;
    }
}
