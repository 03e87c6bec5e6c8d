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

        return service.WithQueueType().WithConfiguredPort();
    }

    /// <summary>
    /// One switch for the whole system: the AppHost's <c>Messaging:QueueType</c> (classic, the default, or quorum) and
    /// <c>Messaging:DeliveryLimit</c> go to every service as <c>Messaging__QueueType</c> and <c>Messaging__DeliveryLimit</c>
    /// (<c>eng/run.sh --Messaging:QueueType=quorum</c>; on a broker whose queues exist, run <c>eng/run.sh --reset</c> first).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithQueueType(this IResourceBuilder<ProjectResource> project)
    {
        var configuration = project.ApplicationBuilder.Configuration;
        project.WithEnvironment("Messaging__QueueType", configuration["Messaging:QueueType"] ?? "classic");
        if (configuration["Messaging:DeliveryLimit"] is { Length: > 0 } limit) project.WithEnvironment("Messaging__DeliveryLimit", limit);
        return project;
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
