using System.Globalization;

namespace OrderSystem.EndToEnd.Benchmarks.Failover;

/// <summary>
/// The failover run's own settings (eng/cluster.sh test sets them): the cluster's management URLs
/// (RABBITMQ_CLUSTER_MANAGEMENT_URLS, node 1 first, as <c>eng/cluster.sh env</c> prints them), the script that kills and
/// restarts a node (CLUSTER_SCRIPT), and the scenario: FAILOVER_RATE orders/s (5) for FAILOVER_SECONDS (90), the node
/// killed FAILOVER_KILL_AT seconds in (30) and restarted FAILOVER_DOWN_FOR seconds later (30); FAILOVER_MIRROR_DEAD_LETTERS
/// (1) mirrors the classic dead-letter queues on every node (0: they live on the node that declared them).
/// </summary>
internal sealed record FailoverSettings(Uri[] ManagementUrls, string ClusterScript, double Rate, int Seconds, int KillAt, int DownFor, bool MirrorDeadLetters)
{
    public static FailoverSettings FromEnvironment()
    {
        static string Need(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
            ? v
            : throw new InvalidOperationException($"{name} is not set (eng/cluster.sh test sets it).");
        static double Number(string name, double fallback) =>
            double.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var v) ? v : fallback;
        return new FailoverSettings(
            Need("RABBITMQ_CLUSTER_MANAGEMENT_URLS").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => new Uri(u)).ToArray(),
            Need("CLUSTER_SCRIPT"),
            Number("FAILOVER_RATE", 5), (int)Number("FAILOVER_SECONDS", 90), (int)Number("FAILOVER_KILL_AT", 30), (int)Number("FAILOVER_DOWN_FOR", 30),
            Number("FAILOVER_MIRROR_DEAD_LETTERS", 1) != 0);
    }
}
