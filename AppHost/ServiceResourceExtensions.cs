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
        if (infrastructure.MessagingClusterNodes is { } nodes)
        {
            service.WithEnvironment("Messaging__ClusterNodes", nodes); // the bus fails over between the cluster's nodes
        }

        return service.WithConfiguredPort();
    }

    /// <summary>
    /// The documented local ports come from each project's launch profile (5100–5104); <c>ServicePorts:&lt;name&gt;</c>
    /// moves one (eng/run.sh passes ORDERING_PORT and the like this way).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithConfiguredPort(this IResourceBuilder<ProjectResource> project)
    {
        if (project.ApplicationBuilder.Configuration.GetValue<int?>($"ServicePorts:{project.Resource.Name}") is { } port)
        {
            project.WithEndpoint("http", endpoint => endpoint.Port = port);
        }

        return project;
    }
}
