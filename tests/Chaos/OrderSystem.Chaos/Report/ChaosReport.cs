using System.Globalization;
using System.Runtime.InteropServices;
using OrderSystem.Chaos.Run;

namespace OrderSystem.Chaos.Report;

/// <summary>The run as Markdown: machine and load, one row per fault, the orders and their outcomes, every invariant, the verdict.</summary>
public static class ChaosReport
{
    public static IReadOnlyList<string> Lines(ChaosResult r)
    {
        static string S(TimeSpan? t) => t is { } v ? v.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s" : "**not drained**";
        var o = r.Options;
        var lines = new List<string>
        {
            $"## Chaos run: {r.OrdersPlaced:N0} orders at {o.Rate.ToString(CultureInfo.InvariantCulture)}/s, {r.Faults.Count} faults (SIGKILL, {o.Down.TotalSeconds:F0} s down, restart)",
            "",
            $"- when: {r.StartedAt:u}, {r.Duration.TotalSeconds:F0} s in all; machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; " +
            $"services ({o.Configuration} builds), RabbitMQ, PostgreSQL and this client share them",
            $"- load average (1, 5, 15 min) after each fault: {string.Join("; ", r.LoadAverages)}",
            "",
            "| fault (kill -9, restart) | accepted before | back, every service healthy | not terminal at that moment | all of those terminal (from the kill) | client retries meanwhile |",
            "|---|---|---|---|---|---|",
        };
        foreach (var f in r.Faults)
        {
            var retries = f.ClientRetries.Count == 0 ? "0" : string.Join(", ", f.ClientRetries.OrderBy(x => x.Key).Select(x => $"{x.Key}: {x.Value}"));
            lines.Add($"| {Name(f.Target)} | {f.AcceptedBefore:N0} | {S(f.RecoveredAfter)} | {f.WaitingAtRecovery:N0} | {S(f.DrainedAfter)} | {retries} |");
        }

        lines.Add($"| (end: the last order placed) | {r.Accepted:N0} | | | {S(r.FinalDrain)} after it | |");
        lines.Add("");
        lines.Add("| orders placed | accepted | HTTP attempts | retried (same key) | cancels asked | Confirmed | Cancelled | Rejected | not terminal |");
        lines.Add("|---|---|---|---|---|---|---|---|---|");
        lines.Add($"| {r.OrdersPlaced:N0} | {r.Accepted:N0} | {r.Attempts:N0} | {r.Retries:N0} | {r.CancelsRequested:N0} | {r.Outcomes.Confirmed:N0} | {r.Outcomes.Cancelled:N0} | {r.Outcomes.Rejected:N0} | {r.Outcomes.NotTerminal:N0} |");
        lines.Add("");
        lines.Add("| invariant (from the four databases, the broker and the client's ledger) | |");
        lines.Add("|---|---|");
        foreach (var i in r.Invariants) lines.Add($"| {i.Statement} | {(i.Holds ? "holds" : $"**VIOLATED** ({i.Violations.Count})")} |");
        lines.Add("");
        foreach (var i in r.Invariants.Where(i => !i.Holds))
        {
            lines.Add($"Violated: {i.Statement}");
            lines.AddRange(i.Violations.Select(v => $"  - {v}"));
        }

        lines.Add(r.Passed ? "**Verdict: PASSED**" : $"**Verdict: FAILED** (the services' logs: {r.ServiceLogs})");
        return lines;
    }

    private static string Name(Faults.FaultTarget target) => target switch
    {
        Faults.FaultTarget.RabbitMq => "RabbitMQ (beam.smp)",
        Faults.FaultTarget.PostgreSql => "PostgreSQL (postmaster)",
        _ => target.ToString(),
    };
}
