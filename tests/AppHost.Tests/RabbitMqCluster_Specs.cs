using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using OrderSystem.AppHost.Tests.Support;
using Shouldly;

namespace OrderSystem.AppHost.Tests;

/// <summary>
/// <c>LocalInfrastructure:RabbitMqCluster=true</c>: the broker is the three-node cluster of <c>eng/cluster.sh run</c>, and
/// every service is told all three nodes (<c>Messaging__ClusterNodes</c>) so that its bus fails over. Reads the AppHost's
/// model only; the cluster itself is run and killed by <c>eng/cluster.sh test</c> (docs/reliability.md).
/// </summary>
public sealed class RabbitMqCluster_Specs
{
    [Fact]
    public async Task With_the_switch_the_broker_is_the_cluster_script_and_every_service_gets_the_three_nodes()
    {
        string[] settings = ["--InfrastructureMode=local", "--LocalInfrastructure:RabbitMqCluster=true", "--LocalInfrastructure:RabbitMqPort=5901"];

        var environments = await ServiceEnvironments.ReadAsync(settings);

        environments.Keys.ToList().ShouldBe(OrderSystemApp.Services, ignoreOrder: true);
        foreach (var (service, variables) in environments)
        {
            variables.GetValueOrDefault("Messaging__ClusterNodes").ShouldBe("127.0.0.1:5901,127.0.0.1:5902,127.0.0.1:5903", service);
        }

        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OrderSystem_AppHost>(settings);
        var broker = builder.Resources.OfType<ExecutableResource>().Single(r => r.Name == "messaging");
        broker.Command.ShouldEndWith(Path.Combine("eng", "cluster.sh"));
    }

    [Fact]
    public async Task Without_it_no_service_is_told_of_a_cluster()
    {
        var environments = await ServiceEnvironments.ReadAsync("--InfrastructureMode=local");

        foreach (var (service, variables) in environments) variables.ShouldNotContainKey("Messaging__ClusterNodes", service);
    }
}
