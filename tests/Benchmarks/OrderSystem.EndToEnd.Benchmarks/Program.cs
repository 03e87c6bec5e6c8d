using System.Globalization;
using System.Runtime.InteropServices;
using Npgsql;
using OrderSystem.EndToEnd.Benchmarks;
using OrderSystem.SystemProcesses.Console;
using OrderSystem.SystemProcesses.Machine;

// The whole system as users run it: the four services as processes (their Release builds) against the eng/infra.sh
// servers, in a vhost and databases of their own; real orders over HTTP (one line of a product with ample stock),
// followed to Confirmed in the order saga's table. Run by eng/benchmark-e2e.sh, which measures raw MassTransit in the
// same run and passes it in RAW_MSGS_PER_S. Loopback only; every phase is bounded in time.
//
// Environment: RABBITMQ_URI, RABBITMQ_MANAGEMENT_URL, POSTGRES_CONNECTION_STRING (eng/infra.sh env), E2E_SERVICES_DIR
// (the repository's src), E2E_CONFIGURATION (Release), INFRA_DIR (for the broker's and the database's pids);
// optional: RAW_MSGS_PER_S, RAW_LOAD, E2E_PORT_BASE (5300), E2E_STEP_SECONDS (15), E2E_PHASE_SECONDS (20).
Progress.Tag = "e2e";
var settings = Settings.FromEnvironment();
if (args is ["failover", ..])
{
    // A RabbitMQ node killed under load on a three-node cluster (eng/cluster.sh test): Failover/ClusterFailover.cs.
    Environment.ExitCode = await OrderSystem.EndToEnd.Benchmarks.Failover.ClusterFailover.RunAsync(settings);
    return;
}

var culture = CultureInfo.InvariantCulture;
if (args is ["cpu", ..])
{
    // The short mode for comparing two builds or two runtime settings: warm-up, then fixed rates only (default 10 and
    // 30 orders/s, or the rates given), printing CPU ms per order of every process. About two minutes.
    var rates = args.Length > 1 ? args[1..].Select(a => double.Parse(a, culture)).ToArray() : [10.0, 30.0];
    Environment.ExitCode = await CpuPerOrder.RunAsync(settings, rates);
    return;
}

await using var system = new SystemUnderTest(settings);
var report = new List<string>();
try
{
    await system.StartAsync();
    var load = new LoadClient(system, settings);
    await load.PrepareAsync();

    // Warm-up long enough for the JIT to settle: a fresh service spends most of its first minute compiling (tiered
    // compilation moves hot methods to optimised code in the background), which a 10-second warm-up left to the ramp's
    // first steps (docs/performance.md).
    Progress.Phase("warm-up");
    await load.FixedRateAsync("warm-up", 15, WarmUp.Seconds);

    // Maximum sustained rate: open-loop steps of increasing rate; a step is sustained when the orders confirmed in its
    // measuring window keep up with the orders posted (≥ 95 %), i.e. the backlog does not grow.
    var ramp = await load.RampAsync("1 replica each", 20, 12);
    var max = ramp.MaxSustained;

    var phases = new List<PhaseResult>();
    foreach (var rate in new[] { 10.0, 50.0, 100.0, Math.Max(5, Math.Round(max * 0.8)) })
        phases.Add(await load.FixedRateAsync($"{rate:F0}/s", rate, settings.PhaseSeconds));

    var messages = await system.BrokerCountsAsync();
    var ordersSoFar = await load.ConfirmedAsync();

    // A second Inventory and Payment replica (competing consumers on the same queues and databases).
    await system.StartReplicasAsync();
    var ramp2 = await load.RampAsync("2 replicas of Inventory, Payment", Math.Max(10, Math.Round(max * 0.8)), 5);

    var publishesPerOrder = messages.Published / Math.Max(1, ordersSoFar.Confirmed);
    var deliveriesPerOrder = messages.Delivered / Math.Max(1, ordersSoFar.Confirmed);

    report.Add("# OrderSystem end-to-end benchmark");
    report.Add("");
    report.Add($"- when: {DateTime.UtcNow:u}; machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; " +
               "services, broker, database and this client share the same cores; loopback only");
    report.Add($"- services: Ordering, Inventory, Payment, Notification, {settings.Configuration} builds, one process each (then a second Inventory and Payment); " +
               $"orders of one line, {settings.ProductsDescription()}");
    report.Add($"- load average: {LoadAverage.Read()} at the end; beside each figure below, the 1-minute load average at the end of that phase");
    report.Add("");
    report.Add("| maximum sustained rate | orders/s offered | orders/s confirmed | load avg |");
    report.Add("|---|---|---|---|");
    report.Add($"| 1 replica each | **{ramp.MaxSustained:F0}** | {ramp.MaxSustainedConfirmed:F1} | {ramp.LoadAtMax} |");
    report.Add($"| 2 replicas of Inventory and Payment | **{ramp2.MaxSustained:F0}** | {ramp2.MaxSustainedConfirmed:F1} | {ramp2.LoadAtMax} |");
    report.Add($"| (highest confirmed rate seen in any step, backlog growing) | | {Math.Max(ramp.PeakConfirmed, ramp2.PeakConfirmed):F1} | |");
    report.Add("");
    report.Add("Steps (offered → confirmed orders/s in the measuring window; ✓ = sustained):");
    report.Add("");
    report.Add("- 1 replica: " + string.Join(", ", ramp.Steps.Select(s => $"{s.Offered:F0}→{s.Confirmed:F1}{(s.Sustained ? " ✓" : " ✗")}")));
    report.Add("- 2 replicas: " + string.Join(", ", ramp2.Steps.Select(s => $"{s.Offered:F0}→{s.Confirmed:F1}{(s.Sustained ? " ✓" : " ✗")}")));
    report.Add("");
    report.Add($"| POST → Confirmed, fixed rate ({settings.PhaseSeconds} s each) | orders | confirmed | p50 ms | p95 ms | p99 ms | max ms | load avg |");
    report.Add("|---|---|---|---|---|---|---|---|");
    foreach (var p in phases)
        report.Add($"| {p.Name} | {p.Posted} | {p.Confirmed}{(p.PostErrors > 0 ? $" ({p.PostErrors} POST errors)" : "")} | {p.Percentile(50):F0} | {p.Percentile(95):F0} | {p.Percentile(99):F0} | {p.Percentile(100):F0} | {p.LoadAfter} |");
    report.Add("");
    report.Add("| CPU ms per order (CPU seconds per 1,000 orders) | " + string.Join(" | ", phases.Select(p => p.Name)) + " |");
    report.Add("|---|" + string.Join("", phases.Select(_ => "---|")));
    foreach (var process in phases[0].CpuSeconds.Keys)
        report.Add($"| {process} | " + string.Join(" | ", phases.Select(p => p.CpuMsPerOrder(process).ToString("F1", culture))) + " |");
    report.Add("| **all of the system** | " + string.Join(" | ", phases.Select(p => $"**{p.SystemCpuMsPerOrder().ToString("F1", culture)}**")) + " |");
    report.Add("");
    report.Add($"| message efficiency | |");
    report.Add("|---|---|");
    report.Add($"| broker messages per order (published; delivered) | {publishesPerOrder:F1}; {deliveriesPerOrder:F1} |");
    if (settings.RawMessagesPerSecond is { } raw)
    {
        report.Add($"| raw MassTransit consume → publish, same run | {raw:F0} msg/s (load avg {settings.RawLoad ?? "?"}) |");
        report.Add($"| efficiency = {max:F0} orders/s × {publishesPerOrder:F1} msg/order ÷ {raw:F0} msg/s | **{max * publishesPerOrder / raw:P0}** |");
    }
    else
    {
        report.Add("| raw MassTransit | not measured (set RAW_MSGS_PER_S; eng/benchmark-e2e.sh does) |");
    }
}
finally
{
    Progress.Done();
    foreach (var line in report) Console.WriteLine(line);
}

namespace OrderSystem.EndToEnd.Benchmarks
{
    internal sealed record Settings(
        string ServicesDir, string Configuration, string RabbitUri, Uri Management, string Postgres, string? InfraDir,
        int PortBase, int StepSeconds, int PhaseSeconds, double? RawMessagesPerSecond, string? RawLoad, int Products)
    {
        public const string VirtualHost = "e2e-bench";
        public const string SkuPrefix = "E2E-BENCH-";
        public const string OperatorKey = "e2e-benchmark-operator-key";

        /// <summary>The SKU of the n-th product (1-based); orders go round the products in turn.</summary>
        public static string Sku(int n) => SkuPrefix + n;

        public static Settings FromEnvironment()
        {
            static string Need(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
                ? v
                : throw new InvalidOperationException($"{name} is not set (eval \"$(eng/infra.sh env)\"; eng/benchmark-e2e.sh sets it).");
            static int Int(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), out var v) ? v : fallback;
            return new Settings(Need("E2E_SERVICES_DIR"), Environment.GetEnvironmentVariable("E2E_CONFIGURATION") ?? "Release",
                Need("RABBITMQ_URI"), new Uri(Need("RABBITMQ_MANAGEMENT_URL")), Need("POSTGRES_CONNECTION_STRING"),
                Environment.GetEnvironmentVariable("INFRA_DIR"), Int("E2E_PORT_BASE", 5300), Int("E2E_STEP_SECONDS", 15), Int("E2E_PHASE_SECONDS", 20),
                double.TryParse(Environment.GetEnvironmentVariable("RAW_MSGS_PER_S"), CultureInfo.InvariantCulture, out var raw) ? raw : null,
                Environment.GetEnvironmentVariable("RAW_LOAD"), Math.Max(1, Int("E2E_PRODUCTS", 1)));
        }

        public string ProductsDescription() => Products == 1
            ? "all for one product with ample stock (every order updates the same stock row: the most contended case)"
            : $"spread in turn over {Products} products with ample stock (E2E_PRODUCTS)";

        public string Database(string name) => new NpgsqlConnectionStringBuilder(Postgres) { Database = "e2e_" + name }.ConnectionString;
    }
}
