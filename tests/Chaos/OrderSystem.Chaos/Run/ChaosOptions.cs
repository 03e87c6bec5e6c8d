using System.Globalization;
using OrderSystem.Chaos.Faults;

namespace OrderSystem.Chaos.Run;

/// <summary>
/// One chaos scenario: how many orders at which rate, which faults (spread evenly over the time the orders are placed),
/// and where the private servers live. Every deadline is generous: the machine may be shared and loaded.
/// </summary>
public sealed record ChaosOptions
{
    public const string Usage =
        "usage: chaos [--orders N, at least: more while the faults last (1200)] [--rate R orders/s (10)] [--down S seconds a killed process stays dead (3)]\n" +
        "             [--faults ordering,inventory,payment,notification,rabbitmq,postgresql (all, in that order)]\n" +
        "             [--configuration Release|Debug (Release)] [--infra-dir DIR] [--rabbitmq-port P (5782)] [--postgres-port P (5542)]\n" +
        "             [--epmd-port P (4479)] [--drain-timeout S (600)] [--run-timeout S (none)] [--keep-servers]";

    public required string RepositoryRoot { get; init; }

    /// <summary>Orders to place at least; the client goes on at the same rate until the last fault has drained.</summary>
    public int Orders { get; init; } = 1200;
    public double Rate { get; init; } = 10;
    public TimeSpan Down { get; init; } = TimeSpan.FromSeconds(3);
    public IReadOnlyList<FaultTarget> Faults { get; init; } = Enum.GetValues<FaultTarget>();
    public string Configuration { get; init; } = "Release";

    /// <summary>The private servers' directory (eng/infra.sh's ORDERSYSTEM_INFRA_DIR): never the one the tests use.</summary>
    public required string InfraDir { get; init; }

    /// <summary>Base ports for eng/infra.sh (RMQ_BASE_PORT, PG_BASE_PORT, EPMD_BASE_PORT): away from its defaults.</summary>
    public int RabbitMqBasePort { get; init; } = 5782;
    public int PostgresBasePort { get; init; } = 5542;
    public int EpmdBasePort { get; init; } = 4479;

    /// <summary>How long a fault's backlog, and the final one, may take to drain before the run fails.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long the whole run may take (servers and services started, orders, faults, drains); past it the run stops
    /// where it is, names the phase it was in, and fails. None by default; the test sets one below its hang timeout, so
    /// that a stall fails with its progress notes instead of being killed without them.
    /// </summary>
    public TimeSpan? RunTimeout { get; init; }

    /// <summary>How long a process may take to be healthy again after a restart.</summary>
    public TimeSpan HealthyTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Leave the servers running at the end (to look at the databases and queues).</summary>
    public bool KeepServers { get; init; }

    /// <summary>The time over which the orders are placed.</summary>
    public TimeSpan PlacingTime => TimeSpan.FromSeconds(Orders / Rate);

    public static ChaosOptions Parse(IReadOnlyList<string> args, string repositoryRoot)
    {
        var options = new ChaosOptions { RepositoryRoot = repositoryRoot, InfraDir = DefaultInfraDir(repositoryRoot) };
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--orders" => options with { Orders = Int() },
                "--rate" => options with { Rate = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--down" => options with { Down = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--faults" => options with { Faults = Value().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(f => Enum.Parse<FaultTarget>(f, ignoreCase: true)).ToList() },
                "--configuration" => options with { Configuration = Value() },
                "--infra-dir" => options with { InfraDir = Value() },
                "--rabbitmq-port" => options with { RabbitMqBasePort = Int() },
                "--postgres-port" => options with { PostgresBasePort = Int() },
                "--epmd-port" => options with { EpmdBasePort = Int() },
                "--drain-timeout" => options with { DrainTimeout = TimeSpan.FromSeconds(Int()) },
                "--run-timeout" => options with { RunTimeout = TimeSpan.FromSeconds(Int()) },
                "--keep-servers" => options with { KeepServers = true },
                _ => throw new ArgumentException($"unknown argument {args[i]}\n{Usage}"),
            };
        }

        if (options.Orders < 1 || options.Rate <= 0) throw new ArgumentException($"--orders and --rate must be positive.\n{Usage}");
        return options;
    }

    /// <summary>Beside eng/infra.sh's directory for this checkout, never the same one: the driver kills these servers.</summary>
    public static string DefaultInfraDir(string repositoryRoot)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(repositoryRoot)))[..8];
        return Path.Combine(Path.GetTempPath(), $"ordersystem-chaos-{hash}");
    }
}
