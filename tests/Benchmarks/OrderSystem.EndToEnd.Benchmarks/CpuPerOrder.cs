using System.Globalization;
using OrderSystem.SystemProcesses.Console;
using OrderSystem.SystemProcesses.Machine;

namespace OrderSystem.EndToEnd.Benchmarks;

/// <summary>
/// <c>… cpu [rate…]</c>: the system at a few fixed rates, and the CPU each process spent per confirmed order. CPU per order
/// moves far less with the machine's foreign load than orders/s, so it is the figure to compare two builds or two
/// runtime settings with (run both the same way, one after the other).
/// </summary>
internal static class CpuPerOrder
{
    public static async Task<int> RunAsync(Settings settings, IReadOnlyList<double> rates)
    {
        var culture = CultureInfo.InvariantCulture;
        var report = new List<string>();
        await using var system = new SystemUnderTest(settings);
        try
        {
            await system.StartAsync();
            var load = new LoadClient(system, settings);
            await load.PrepareAsync();
            Progress.Phase("warm-up");
            await load.FixedRateAsync("warm-up", 15, WarmUp.Seconds);

            // Idle: what each process spends with no order in flight (pollers, timers, exporters), per second.
            var idleSeconds = settings.PhaseSeconds;
            Progress.Phase($"idle for {idleSeconds} s");
            var idleBefore = system.CpuSeconds();
            var idleWatch = System.Diagnostics.Stopwatch.StartNew();
            while (idleWatch.Elapsed < TimeSpan.FromSeconds(idleSeconds))
            {
                Progress.Line($"no orders, {idleWatch.Elapsed.TotalSeconds:F0} of {idleSeconds} s");
                await Task.Delay(TimeSpan.FromSeconds(1)); // a measuring window, not synchronisation
            }

            var idleAfter = system.CpuSeconds();
            var idleMsPerSecond = idleAfter.ToDictionary(c => c.Key, c => (c.Value - idleBefore[c.Key]) * 1000 / idleWatch.Elapsed.TotalSeconds);

            var phases = new List<PhaseResult>();
            var commits = new List<Dictionary<string, long>>();
            foreach (var rate in rates)
            {
                var before = await system.CommitsAsync();
                var phase = await load.FixedRateAsync($"{rate:F0}/s", rate, settings.PhaseSeconds);
                await Task.Delay(TimeSpan.FromSeconds(1.5)); // the statistics collector's flush interval (1 s), not synchronisation
                var after = await system.CommitsAsync();
                phases.Add(phase);
                commits.Add(after.ToDictionary(c => c.Key, c => c.Value - before[c.Key]));
            }

            report.Add($"# CPU per order ({DateTime.UtcNow:u}; {Environment.ProcessorCount} cores; load average {LoadAverage.Read()} at the end; orders {settings.ProductsDescription()})");
            report.Add("");
            report.Add("| CPU ms per order | idle: CPU ms per second | " + string.Join(" | ", phases.Select(p => p.Name)) + " |");
            report.Add("|---|---|" + string.Join("", phases.Select(_ => "---|")));
            foreach (var process in phases[0].CpuSeconds.Keys)
                report.Add($"| {process} | {idleMsPerSecond[process].ToString("F1", culture)} | " + string.Join(" | ", phases.Select(p => p.CpuMsPerOrder(process).ToString("F1", culture))) + " |");
            report.Add($"| **all of the system** | **{idleMsPerSecond.Where(c => c.Key != PhaseResult.LoadClientProcess).Sum(c => c.Value).ToString("F1", culture)}** | " + string.Join(" | ", phases.Select(p => $"**{p.SystemCpuMsPerOrder().ToString("F1", culture)}**")) + " |");
            foreach (var database in commits[0].Keys)
                report.Add($"| {database}: transactions per order | | " + string.Join(" | ", phases.Select((p, i) => (commits[i][database] / (double)Math.Max(1, p.Confirmed)).ToString("F1", culture))) + " |");
            report.Add("| orders posted → confirmed | | " + string.Join(" | ", phases.Select(p => $"{p.Posted} → {p.Confirmed}")) + " |");
            report.Add("| POST → Confirmed p50 / p99 ms | | " + string.Join(" | ", phases.Select(p => $"{p.Percentile(50):F0} / {p.Percentile(99):F0}")) + " |");
            report.Add("| load average after | | " + string.Join(" | ", phases.Select(p => p.LoadAfter)) + " |");
            return 0;
        }
        finally
        {
            Progress.Done();
            foreach (var line in report) Console.WriteLine(line);
        }
    }
}
