using MassTransit;
using Microsoft.Extensions.Configuration;
using RabbitMQ.Client;

namespace OrderSystem.Messaging.Broker;

/// <summary>
/// Where the broker is: the AMQP URI of <c>ConnectionStrings:messaging</c> (credentials, virtual host, and the node to try
/// first) and, for a RabbitMQ cluster, every node of it from <c>Messaging:ClusterNodes</c> (<c>host:port</c>, comma
/// separated, or a list). The URI alone stays valid for every tool that knows nothing of clusters; the node list lets the
/// bus and the building block's own connections fail over to the next node when theirs dies.
/// </summary>
public sealed class BrokerEndpoints
{
    /// <summary>Configuration key of the cluster's nodes, e.g. <c>127.0.0.1:5761,127.0.0.1:5762,127.0.0.1:5763</c>.</summary>
    public const string ClusterNodesKey = "Messaging:ClusterNodes";

    private BrokerEndpoints(Uri uri, IReadOnlyList<AmqpTcpEndpoint> nodes)
    {
        Uri = uri;
        Nodes = nodes;
        var path = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        VirtualHost = path.Length == 0 ? "/" : path;
    }

    /// <summary>The AMQP URI of the connection string, with credentials.</summary>
    public Uri Uri { get; }

    /// <summary>
    /// The nodes to connect to, in the order they are tried: the URI's own host alone unless a cluster is configured; with
    /// a cluster, the configured list rotated by <see cref="PreferredNodeIndex"/> so that services do not all prefer its first node.
    /// </summary>
    public IReadOnlyList<AmqpTcpEndpoint> Nodes { get; }

    public string VirtualHost { get; }

    public bool IsCluster => Nodes.Count > 1;

    /// <summary>For logs and health descriptions: the nodes and the virtual host, never the credentials.</summary>
    public override string ToString() => $"{string.Join(",", Nodes.Select(n => $"{n.HostName}:{n.Port}"))}/{VirtualHost}";

    /// <summary>
    /// Reads the URI and the node list. <paramref name="preference"/> (the service's name; <c>Messaging:ClusterNodePreference</c>
    /// overrides it, e.g. with an instance id) picks which node this process tries first: MassTransit's <c>UseCluster</c> tries
    /// the nodes in order from the first on every (re)connect, so a list every service shares sends every connection, and
    /// every quorum queue leader they declare, to one node. Null keeps the list as configured.
    /// </summary>
    public static BrokerEndpoints FromConfiguration(IConfiguration configuration, string connectionName, string? preference = null)
    {
        var connectionString = configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"Connection string '{connectionName}' is missing. Set ConnectionStrings__{connectionName} to the broker's AMQP URI " +
                "(the AppHost and eng/run.sh do), e.g. amqp://guest:guest@localhost:5672/.");
        }

        var uri = new Uri(connectionString);
        var section = configuration.GetSection(ClusterNodesKey);
        var listed = section.GetChildren().Select(c => c.Value).Append(section.Value)
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(node => ParseNode(node, uri.Port))
            .ToList();
        preference = configuration[ClusterNodePreferenceKey] ?? preference;
        if (listed.Count > 1 && !string.IsNullOrEmpty(preference))
        {
            var first = PreferredNodeIndex(preference, listed.Count);
            listed = [.. listed.Skip(first), .. listed.Take(first)];
        }

        return new BrokerEndpoints(uri, listed.Count > 0 ? listed : [new AmqpTcpEndpoint(uri)]);
    }

    /// <summary>Configuration key of the value that picks the node tried first (default: the service's name).</summary>
    public const string ClusterNodePreferenceKey = "Messaging:ClusterNodePreference";

    /// <summary>
    /// The index of the node <paramref name="preference"/> tries first among <paramref name="count"/>: a hash that is the
    /// same in every process and every run (FNV-1a over UTF-8; <c>string.GetHashCode</c> is randomised per process), so a
    /// service keeps its node across restarts and different services land on different nodes.
    /// </summary>
    public static int PreferredNodeIndex(string preference, int count)
    {
        var hash = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(preference))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % (uint)count);
    }

    /// <summary>MassTransit's host: the URI, and with a cluster every node, tried one after the other on each (re)connect.</summary>
    public void ConfigureHost(IRabbitMqHostConfigurator host)
    {
        if (!IsCluster) return;
        host.UseCluster(cluster =>
        {
            foreach (var node in Nodes) cluster.Node($"{node.HostName}:{node.Port}");
        });
    }

    /// <summary>
    /// A connection of the building block's own (health check, monitors) to the first node that answers, without automatic
    /// recovery: a closed connection must show; the caller opens a new one, which then finds a surviving node.
    /// </summary>
    public Task<IConnection> ConnectAsync(string clientName, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = Uri,
            AutomaticRecoveryEnabled = false,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            ClientProvidedName = clientName,
        };
        return IsCluster
            ? factory.CreateConnectionAsync(Nodes, clientName, cancellationToken)
            : factory.CreateConnectionAsync(cancellationToken);
    }

    private static AmqpTcpEndpoint ParseNode(string node, int defaultPort)
    {
        // host or host:port (no IPv6 literals: MassTransit's cluster nodes are split on ':' as well)
        var parts = node.Split(':');
        if (parts.Length > 2 || parts[0].Length == 0 || (parts.Length == 2 && !int.TryParse(parts[1], out _)))
        {
            throw new InvalidOperationException($"{ClusterNodesKey}: '{node}' is not host or host:port.");
        }

        return new AmqpTcpEndpoint(parts[0], parts.Length == 2 ? int.Parse(parts[1]) : defaultPort);
    }
}
