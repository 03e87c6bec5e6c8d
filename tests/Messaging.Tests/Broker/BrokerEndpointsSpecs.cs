using Microsoft.Extensions.Configuration;
using OrderSystem.Messaging.Broker;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Broker;

/// <summary>
/// How the node list of a RabbitMQ cluster travels in the configuration contract: <c>ConnectionStrings:messaging</c> keeps
/// the credentials, vhost and first node; <c>Messaging:ClusterNodes</c> lists every node. (The failover itself is shown
/// against a real cluster by <c>eng/cluster.sh test</c>: docs/reliability.md.)
/// </summary>
public sealed class BrokerEndpointsSpecs
{
    private static BrokerEndpoints From(params (string Key, string Value)[] settings) => BrokerEndpoints.FromConfiguration(
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build(), "messaging");

    [Fact]
    public void Without_cluster_nodes_the_connection_string_is_the_only_node()
    {
        var broker = From(("ConnectionStrings:messaging", "amqp://u:p@rabbit:5670/orders"));

        broker.IsCluster.ShouldBeFalse();
        broker.Nodes.Select(n => $"{n.HostName}:{n.Port}").ShouldBe(["rabbit:5670"]);
        broker.VirtualHost.ShouldBe("orders");
        broker.ToString().ShouldNotContain("p@");
    }

    [Fact]
    public void Cluster_nodes_as_one_comma_separated_value_in_their_order_with_the_uri_port_as_default()
    {
        var broker = From(("ConnectionStrings:messaging", "amqp://u:p@127.0.0.1:5761/"), ("Messaging:ClusterNodes", "127.0.0.1:5761, 127.0.0.1:5762,node-3"));

        broker.IsCluster.ShouldBeTrue();
        broker.Nodes.Select(n => $"{n.HostName}:{n.Port}").ShouldBe(["127.0.0.1:5761", "127.0.0.1:5762", "node-3:5761"]);
        broker.VirtualHost.ShouldBe("/");
        broker.Uri.UserInfo.ShouldBe("u:p");
    }

    [Fact]
    public void Cluster_nodes_as_a_list()
    {
        var broker = From(("ConnectionStrings:messaging", "amqp://u:p@a:5672/"), ("Messaging:ClusterNodes:0", "a:5672"), ("Messaging:ClusterNodes:1", "b:5673"));

        broker.Nodes.Select(n => $"{n.HostName}:{n.Port}").ShouldBe(["a:5672", "b:5673"]);
    }

    [Theory]
    [InlineData("a:b")]
    [InlineData("::1")]
    [InlineData(":5672")]
    public void A_node_that_is_not_host_or_host_port_is_refused_at_start_up(string node)
    {
        Should.Throw<InvalidOperationException>(() => From(("ConnectionStrings:messaging", "amqp://u:p@a:5672/"), ("Messaging:ClusterNodes", node)))
            .Message.ShouldContain("Messaging:ClusterNodes");
    }
}
