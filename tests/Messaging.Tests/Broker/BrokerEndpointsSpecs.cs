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
    private static BrokerEndpoints From(params (string Key, string Value)[] settings) => FromAs(null, settings);

    private static BrokerEndpoints FromAs(string? preference, params (string Key, string Value)[] settings) => BrokerEndpoints.FromConfiguration(
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build(), "messaging",
        preference);

    private static readonly (string, string)[] Cluster =
        [("ConnectionStrings:messaging", "amqp://u:p@127.0.0.1:5761/"), ("Messaging:ClusterNodes", "127.0.0.1:5761,127.0.0.1:5762,127.0.0.1:5763")];

    private static string[] Order(BrokerEndpoints broker) => broker.Nodes.Select(n => $"{n.HostName}:{n.Port}").ToArray();

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

    [Fact]
    public void With_a_preference_each_process_tries_the_nodes_in_a_rotation_of_the_list_that_is_the_same_every_time()
    {
        string[] listed = ["127.0.0.1:5761", "127.0.0.1:5762", "127.0.0.1:5763"];
        foreach (var service in new[] { "OrderSystem.Ordering", "OrderSystem.Inventory", "OrderSystem.Payment", "OrderSystem.Notification", "ordering" })
        {
            var order = Order(FromAs(service, Cluster));
            var first = Array.IndexOf(listed, order[0]);
            order.ShouldBe(listed.Skip(first).Concat(listed.Take(first)).ToArray(), $"{service}: every node, in the list's cyclic order");
            Order(FromAs(service, Cluster)).ShouldBe(order, "the same in every process and run");
        }
    }

    [Fact]
    public void The_four_services_do_not_all_prefer_the_first_node()
    {
        // The services' names as the failover test and a plain `dotnet run` give them (their application names).
        var firsts = new[] { "OrderSystem.Ordering", "OrderSystem.Inventory", "OrderSystem.Payment", "OrderSystem.Notification" }
            .Select(service => Order(FromAs(service, Cluster))[0]).ToArray();

        firsts.Distinct().Count().ShouldBe(3, $"first nodes: {string.Join(", ", firsts)}");
        BrokerEndpoints.PreferredNodeIndex("OrderSystem.Ordering", 3).ShouldBe(1); // pinned: a change moves every service's connections
    }

    [Fact]
    public void Messaging_ClusterNodePreference_overrides_the_service_name_for_instances_of_one_service()
    {
        var byName = Order(FromAs("OrderSystem.Ordering", Cluster));
        var instances = new[] { "ordering-1", "ordering-2", "ordering-3" }
            .Select(i => Order(FromAs("OrderSystem.Ordering", [.. Cluster, ("Messaging:ClusterNodePreference", i)]))[0]).ToArray();

        byName[0].ShouldBe("127.0.0.1:5762");
        instances.ShouldBe(["127.0.0.1:5763", "127.0.0.1:5762", "127.0.0.1:5761"], "three instances of one service on three nodes");
    }

    [Fact]
    public void A_single_node_is_unchanged_by_a_preference()
    {
        var broker = FromAs("OrderSystem.Ordering", ("ConnectionStrings:messaging", "amqp://u:p@rabbit:5670/orders"));

        broker.IsCluster.ShouldBeFalse();
        Order(broker).ShouldBe(["rabbit:5670"]);
    }
}
