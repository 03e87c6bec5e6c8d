using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Npgsql;
using OrderSystem.SystemProcesses.Console;
using OrderSystem.SystemProcesses.Machine;

namespace OrderSystem.EndToEnd.Benchmarks.Failover;

/// <summary>
/// A RabbitMQ node killed under load (eng/cluster.sh test): the four services on a three-node cluster, orders posted at a
/// fixed rate; the node Ordering's bus is connected to gets SIGKILL, and is restarted later. Then every order is counted
/// in the databases (<see cref="OrderAudit"/>): none lost, none doubled; every service must have reconnected to another
/// node; and the run measures how long the order flow stopped and how long the cluster took to be whole again.
/// Prints a Markdown report; exit code 0 only when every check holds.
/// </summary>
internal static class ClusterFailover
{
    private static readonly string[] Services = ["Ordering", "Inventory", "Payment", "Notification"];

    public static async Task<int> RunAsync(Settings settings)
    {
        var failover = FailoverSettings.FromEnvironment();
        var report = new List<string>();
        var failures = new List<string>();
        using var cluster = new ClusterManagement(failover.ManagementUrls);
        await using var system = new SystemUnderTest(settings);
        try
        {
            var nodeNames = await cluster.NodeNamesAsync();
            await system.StartAsync();
            if (failover.MirrorDeadLetters) await cluster.MirrorDeadLetterQueuesAsync(Settings.VirtualHost);
            var load = new LoadClient(system, settings);
            await load.PrepareAsync();
            await load.FixedRateAsync("warm-up", Math.Min(5, failover.Rate), 6);

            var queues = await cluster.QueuesAsync(Settings.VirtualHost);
            var queueTypes = string.Join(", ", queues.GroupBy(q => q.Type).Select(g => $"{g.Count()} {g.Key}"));
            Progress.Note($"queues in the vhost: {queueTypes}");
            var connected = (await ServiceNodesAsync(cluster)).ToDictionary(c => c.Key, c => c.Value[0]);
            Progress.Note("bus connections: " + string.Join(", ", connected.Select(c => $"{c.Key} → {c.Value}")));
            var victim = connected.GetValueOrDefault("Ordering") ?? throw new InvalidOperationException("Ordering has no bus connection in the vhost.");
            var victimNumber = Array.IndexOf(nodeNames, victim) + 1;
            if (victimNumber == 0) throw new InvalidOperationException($"Ordering is connected to {victim}, which is not one of {string.Join(", ", nodeNames)}.");

            // Load, the kill, reconnection, restart, replication: one timeline, measured from the kill.
            Progress.Phase("failover");
            var sent = new ConcurrentDictionary<Guid, DateTimeOffset>();
            var clock = Stopwatch.StartNew();
            var posting = load.PostAsync(failover.Rate, TimeSpan.FromSeconds(failover.Seconds), sent);
            await WhileRunningAsync(load, sent, clock, TimeSpan.FromSeconds(failover.KillAt), "before the kill");

            var loadAtKill = LoadAverage.Read();
            await RunScriptAsync(failover, "kill", victimNumber);
            var killedAt = DateTimeOffset.UtcNow;
            var sinceKill = Stopwatch.StartNew();
            Progress.Note($"killed node {victimNumber} ({victim}) at {clock.Elapsed.TotalSeconds:F1} s; load {loadAtKill}");

            var reconnected = new Dictionary<string, (string Node, TimeSpan After)>();
            while (reconnected.Count < Services.Length && sinceKill.Elapsed < TimeSpan.FromSeconds(120))
            {
                try
                {
                    foreach (var (service, nodes) in await ServiceNodesAsync(cluster))
                        if (nodes.FirstOrDefault(n => n != victim) is { } node && !reconnected.ContainsKey(service)) reconnected[service] = (node, sinceKill.Elapsed);
                }
                catch (HttpRequestException)
                {
                    // the surviving nodes' management API may stall for a moment while the cluster notices the loss
                }

                Progress.Line($"reconnected: {string.Join(", ", reconnected.Keys)}; posted {sent.Count}, {sinceKill.Elapsed.TotalSeconds:F1} s after the kill");
                await Task.Delay(250);
            }

            foreach (var service in Services.Where(s => !reconnected.ContainsKey(s)))
                failures.Add($"{service} did not reconnect to another node within 120 s");
            Progress.Note("reconnected: " + string.Join(", ", reconnected.Select(r => $"{r.Key} → {r.Value.Node} after {r.Value.After.TotalSeconds:F1} s")));

            await WhileRunningAsync(load, sent, sinceKill, TimeSpan.FromSeconds(failover.DownFor), "node down");
            await RunScriptAsync(failover, "restart", victimNumber);
            var nodeBackAfter = sinceKill.Elapsed;
            Progress.Note($"node {victimNumber} back in the cluster {nodeBackAfter.TotalSeconds:F1} s after the kill");

            TimeSpan? wholeAfter = null;
            var replicas = "";
            while (sinceKill.Elapsed < nodeBackAfter + TimeSpan.FromSeconds(180))
            {
                try
                {
                    var states = await cluster.QueuesAsync(Settings.VirtualHost);
                    var quorum = states.Where(q => q.Type == "quorum").ToList();
                    replicas = $"{quorum.Count(q => q.FullyReplicated)} of {quorum.Count} quorum queues with every member online";
                    if (quorum.All(q => q.FullyReplicated))
                    {
                        wholeAfter = sinceKill.Elapsed;
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }

                Progress.Line(replicas);
                await Task.Delay(500);
            }

            if (wholeAfter is null) failures.Add($"the restarted node's replicas did not all come back online: {replicas}");
            Progress.Note($"{replicas}{(wholeAfter is { } w ? $", {w.TotalSeconds:F1} s after the kill" : "")}");

            var posted = await posting;
            var deadline = Stopwatch.StartNew();
            while (await ConfirmedOfAsync(settings, sent.Keys) < sent.Count && deadline.Elapsed < TimeSpan.FromSeconds(180))
            {
                Progress.Line($"waiting for the last orders: {await ConfirmedOfAsync(settings, sent.Keys)} of {sent.Count} confirmed");
                await Task.Delay(1000);
            }

            // Confirmed comes before the stock is sold and the e-mail recorded: wait (bounded) until the effects settle.
            var audit = await OrderAudit.TakeAsync(settings, sent.Keys.ToArray());
            while (!audit.EachOnce && audit.Doubled == 0 && deadline.Elapsed < TimeSpan.FromSeconds(240))
            {
                Progress.Line($"waiting for the effects: sold {audit.StockSold}, e-mails {audit.Notifications} of {audit.OrdersInDatabase} orders");
                await Task.Delay(1000);
                audit = await OrderAudit.TakeAsync(settings, sent.Keys.ToArray());
            }

            var deadLetterQueues = (await cluster.QueuesAsync(Settings.VirtualHost))
                .Where(q => q.Messages > 0 && (q.Name.EndsWith("_error", StringComparison.Ordinal) || q.Name.EndsWith("_skipped", StringComparison.Ordinal)))
                .ToList();
            var deadLetters = deadLetterQueues.Sum(q => q.Messages);
            var errors = deadLetterQueues.Where(q => q.Name.EndsWith("_error", StringComparison.Ordinal)).Sum(q => q.Messages);
            foreach (var queue in deadLetterQueues)
                Progress.Note($"{queue.Name}: {queue.Messages} — " + string.Join(" | ", (await cluster.PeekAsync(Settings.VirtualHost, queue.Name, 3)).Select(f => f.Length > 300 ? f[..300] : f)));
            var flow = await ConfirmationGapAsync(settings, sent.Keys, killedAt, stillWaiting: audit.NotConfirmed > 0);
            var beforeKill = await LatenciesAsync(settings, sent.Where(s => s.Value < killedAt.AddSeconds(-1)));
            var afterKill = await LatenciesAsync(settings, sent.Where(s => s.Value >= killedAt.AddSeconds(flow.From) && s.Value <= killedAt.AddSeconds(flow.To)));

            if (audit.Lost > 0) failures.Add($"{audit.Lost} accepted orders not Confirmed");
            if (audit.Doubled > 0) failures.Add($"{audit.Doubled} effects doubled");
            if (!audit.EachOnce) failures.Add($"counts do not match one effect per order: {audit}");
            // A fault is a failure. A message in a _skipped queue was received and consumed by nothing; when every effect
            // happened once (checked above) it is a surplus copy, reported (with its type) but not failed on.
            if (errors > 0) failures.Add($"{errors} messages in error queues");

            report.Add("# RabbitMQ node killed under load (eng/cluster.sh test)");
            report.Add("");
            report.Add($"- when: {DateTime.UtcNow:u}; machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; " +
                       "three RabbitMQ nodes, PostgreSQL, the four services and this client on the same cores; loopback only");
            report.Add($"- queues: {queueTypes}; load: {failover.Rate:F0} orders/s for {failover.Seconds} s (one line each); " +
                       $"node {victimNumber} ({victim}, where Ordering's bus was connected) killed with SIGKILL {failover.KillAt} s in, restarted {failover.DownFor} s later");
            report.Add($"- dead-letter queues (classic) mirrored on every node: {(failover.MirrorDeadLetters ? "yes" : "no")}; load average: {loadAtKill} at the kill, {LoadAverage.Read()} at the end");
            report.Add("");
            report.Add("| orders | accepted (202) | POST errors | confirmed | lost | doubled | dead letters |");
            report.Add("|---|---|---|---|---|---|---|");
            report.Add($"| {posted} | {audit.Accepted} | {load.PostErrors} | {audit.Confirmed} | **{audit.Lost}** | **{audit.Doubled}** | {deadLetters} |");
            report.Add("");
            report.Add($"Every order once: {(audit.EachOnce ? "yes" : "NO")} (orders in the database {audit.OrdersInDatabase} incl. warm-up; payments captured " +
                       $"{audit.PaymentsCaptured} of {audit.Payments}; reservations sold {audit.ReservationsSold}; stock sold {audit.StockSold}, still reserved {audit.StockReserved}; " +
                       $"confirmation e-mails {audit.Notifications}; states entered twice {audit.StatesEnteredTwice}).");
            report.Add("");
            report.Add("| after the kill | seconds |");
            report.Add("|---|---|");
            foreach (var service in Services)
            {
                // Services spread over the nodes (BrokerEndpoints.PreferredNodeIndex): only those on the killed node fail over.
                var before = connected.GetValueOrDefault(service, "?");
                report.Add(before != victim && reconnected.TryGetValue(service, out var stayed)
                    ? $"| {service} stayed connected to {stayed.Node} (not on the killed node) | – |"
                    : reconnected.TryGetValue(service, out var r)
                    ? $"| {service} connected to {r.Node} (was {before}) | {r.After.TotalSeconds:F1} |"
                    : $"| {service} reconnected | **not within 120 s** |");
            }

            report.Add($"| order flow stopped (longest time without a confirmation around the kill: {flow.From:+0.0;-0.0} s → {flow.To:+0.0} s) | **{flow.Gap.TotalSeconds:F1}** |");
            report.Add($"| POST → Confirmed of the orders posted in that gap: max / p50 ({afterKill.Length} orders) | {(afterKill.Length > 0 ? $"{afterKill.Max() / 1000:F1} / {Percentile(afterKill, 50) / 1000:F1}" : "–")} |");
            report.Add($"| (for comparison: POST → Confirmed p50 / max of the orders posted before the kill, {beforeKill.Length} orders) | {(beforeKill.Length > 0 ? $"{Percentile(beforeKill, 50) / 1000:F1} / {beforeKill.Max() / 1000:F1}" : "–")} |");
            report.Add($"| node {victimNumber} restarted and running in the cluster | {nodeBackAfter.TotalSeconds:F1} |");
            report.Add($"| every quorum queue with all members online again | {(wholeAfter is { } whole ? whole.TotalSeconds.ToString("F1") : "**not within 180 s**")} |");
            foreach (var queue in deadLetterQueues) report.Add($"| dead letters in {queue.Name} | {queue.Messages} |");
            report.Add("");
            report.Add(failures.Count == 0
                ? $"**PASSED**: no order lost or doubled; every service failed over{(deadLetters > 0 ? $"; {deadLetters} surplus copies in _skipped queues (every effect happened once)" : "")}."
                : "**FAILED**: " + string.Join("; ", failures));
            return failures.Count == 0 ? 0 : 1;
        }
        finally
        {
            Progress.Done();
            foreach (var line in report) Console.WriteLine(line);
        }
    }

    /// <summary>The nodes each service's bus connections are on (the building block names the connection after the service).</summary>
    private static async Task<Dictionary<string, string[]>> ServiceNodesAsync(ClusterManagement cluster)
    {
        var connections = await cluster.ConnectionsAsync(Settings.VirtualHost);
        return Services
            .Select(service => (service, nodes: connections.Where(c => c.Name.Contains(service, StringComparison.OrdinalIgnoreCase)).Select(c => c.Node).Distinct().ToArray()))
            .Where(s => s.nodes.Length > 0)
            .ToDictionary(s => s.service, s => s.nodes);
    }

    private static async Task WhileRunningAsync(LoadClient load, ConcurrentDictionary<Guid, DateTimeOffset> sent, Stopwatch clock, TimeSpan until, string phase)
    {
        while (clock.Elapsed < until)
        {
            var (confirmed, _) = await load.ConfirmedAsync();
            Progress.Line($"{phase}: accepted {sent.Count}, confirmed {confirmed} (all runs), {clock.Elapsed.TotalSeconds:F0} s");
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(1, (until - clock.Elapsed).TotalSeconds + 0.01)));
        }
    }

    private static async Task RunScriptAsync(FailoverSettings failover, string command, int node)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [failover.ClusterScript, command, node.ToString()]) { UseShellExecute = false })
                            ?? throw new InvalidOperationException($"could not run {failover.ClusterScript}");
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(5)).Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{failover.ClusterScript} {command} {node} exited with {process.ExitCode}");
    }

    private static async Task<int> ConfirmedOfAsync(Settings settings, ICollection<Guid> ids)
    {
        await using var connection = new NpgsqlConnection(settings.Database("orderdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM order_states WHERE current_state = 'Confirmed' AND correlation_id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        return Convert.ToInt32(await command.ExecuteScalarAsync());
    }

    /// <summary>The order ids' Confirmed times (the saga's clock) from the history column.</summary>
    private static async Task<Dictionary<Guid, DateTimeOffset>> ConfirmedAtAsync(Settings settings, IEnumerable<Guid> ids)
    {
        var result = new Dictionary<Guid, DateTimeOffset>();
        await using var connection = new NpgsqlConnection(settings.Database("orderdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT correlation_id, history::text FROM order_states WHERE correlation_id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            using var history = JsonDocument.Parse(reader.GetString(1));
            foreach (var entry in history.RootElement.EnumerateArray())
                if (entry.GetProperty("state").GetString() == "Confirmed")
                    result[reader.GetGuid(0)] = entry.GetProperty("at").GetDateTimeOffset();
        }

        return result;
    }

    /// <summary>
    /// The longest stretch without any order confirmed that ends after the kill (start and end in seconds from the kill):
    /// how long the order flow stood still. At a steady rate confirmations are a fraction of a second apart otherwise.
    /// While orders are still waiting, the silence since the last confirmation counts too (it ends now).
    /// </summary>
    private static async Task<(double From, double To, TimeSpan Gap)> ConfirmationGapAsync(Settings settings, ICollection<Guid> ids, DateTimeOffset killedAt, bool stillWaiting)
    {
        var times = (await ConfirmedAtAsync(settings, ids)).Values.Order().ToList();
        if (stillWaiting) times.Add(DateTimeOffset.UtcNow);
        var best = (From: 0.0, To: 0.0, Gap: TimeSpan.Zero);
        for (var i = 1; i < times.Count; i++)
        {
            var gap = times[i] - times[i - 1];
            if (times[i] > killedAt && gap > best.Gap) best = ((times[i - 1] - killedAt).TotalSeconds, (times[i] - killedAt).TotalSeconds, gap);
        }

        return best;
    }

    /// <summary>POST → Confirmed in ms of the given orders.</summary>
    private static async Task<double[]> LatenciesAsync(Settings settings, IEnumerable<KeyValuePair<Guid, DateTimeOffset>> orders)
    {
        var posted = orders.ToDictionary(o => o.Key, o => o.Value);
        var confirmed = await ConfirmedAtAsync(settings, posted.Keys);
        return confirmed.Select(c => (c.Value - posted[c.Key]).TotalMilliseconds).ToArray();
    }

    private static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
