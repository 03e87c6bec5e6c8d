using System.Diagnostics;
using System.Globalization;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OrderSystem.Messaging.Bus;
using OrderSystem.SystemProcesses.Console;
using OrderSystem.SystemProcesses.Machine;
using OrderSystem.Testing.Infrastructure;

namespace OrderSystem.Messaging.Benchmarks.Flow;

/// <summary>
/// The <c>flow</c> mode: a floor under the end-to-end benchmark's CPU per order. One order's messages — 6 published,
/// 8 delivered, on the same six queues as the services' consumers — in this one process, with no business logic, no saga
/// repository and no HTTP, carried four ways (<see cref="FlowVariant"/>): raw MassTransit with no database; raw
/// MassTransit with the least the exactly-once design has to write, one durable transaction (one insert, synchronous
/// commit) per consumed message and per submitted order, 9 per order; the same inserts group-committed (the steps waiting
/// at the same moment share a transaction: what batched consuming passes would buy at the floor); and the messaging
/// building block as the services use it (bus outbox, consumer outbox + inbox through EF Core), 15 per order as in the
/// services. CPU of this process, the broker and the database, per order, at fixed rates (open loop) and saturated.
/// </summary>
internal static class FlowRun
{
    private const int WarmUpFlows = 300;

    public static async Task RunAsync(IsolatedEnvironment environment, string connectionString, int saturatedFlows, int concurrency,
        IReadOnlyList<double> rates, int seconds)
    {
        Progress.Tag = "flow";
        await using (var schema = NpgsqlDataSource.Create(connectionString))
        await using (var create = schema.CreateCommand(FlowTransactions.CreateTable))
            await create.ExecuteNonQueryAsync();

        var rows = new List<string>();
        var grouping = new List<string>();
        var next = 0;
        try
        {
            // FLOW_VARIANTS=ConsumerOutbox (comma-separated names) runs only those: for a profiler attached to this process.
            var only = Environment.GetEnvironmentVariable("FLOW_VARIANTS")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var flowVariant in Enum.GetValues<FlowVariant>().Where(v => only is not { Length: > 0 } || only.Contains(v.ToString())))
            {
                var variant = flowVariant switch
                {
                    FlowVariant.RawNoDatabase => "raw MassTransit, no database",
                    FlowVariant.RawWithTransactions => "raw MassTransit + 1 transaction per consumed message (9 per order)",
                    FlowVariant.RawWithGroupCommit => "raw MassTransit + the same 9 inserts, group-committed",
                    _ => "the building block: bus outbox, consumer outbox + inbox (15 transactions per order)",
                };
                var grouped = flowVariant == FlowVariant.RawWithGroupCommit;
                await using var dataSource = grouped || flowVariant == FlowVariant.RawWithTransactions ? NpgsqlDataSource.Create(connectionString) : null;
                var transactions = dataSource is null ? FlowTransactions.None : new FlowTransactions(dataSource, grouped);
                var tracker = new FlowTracker();
                using var host = await StartHost(environment, connectionString, flowVariant, concurrency, transactions, tracker);
                var submitter = new FlowSubmitter(host.Services, flowVariant, transactions, tracker);

                Progress.Phase($"{variant}: warm-up");
                await SaturatedAsync(submitter, next, WarmUpFlows);
                next += WarmUpFlows;
                foreach (var rate in rates)
                    await MeasureAsync($"{rate:F0}/s", (int)(rate * seconds), first => FixedRateAsync(submitter, first, (int)(rate * seconds), rate));
                await MeasureAsync("saturated", saturatedFlows, first => SaturatedAsync(submitter, first, saturatedFlows));
                await host.StopAsync();

                async Task MeasureAsync(string offered, int flows, Func<int, Task<FlowPhase>> phase)
                {
                    Progress.Phase($"{variant}: {offered}");
                    var (steps, commits) = (transactions.Steps, transactions.Transactions);
                    rows.Add(Row(variant, offered, await phase(next)));
                    if (grouped) grouping.Add(Grouping(offered, flows, transactions.Steps - steps, transactions.Transactions - commits));
                    next += flows;
                }
            }
        }
        finally
        {
            Progress.Done();
        }

        Console.WriteLine("| one order's messages (6 published, 8 delivered), in one process | offered | orders/s | CPU ms per order: client / RabbitMQ / PostgreSQL | **all** | submitted → confirmed p50 / p99 ms |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var row in rows) Console.WriteLine(row);
        if (grouping.Count > 0) Console.WriteLine($"(group commit: {string.Join("; ", grouping)})");
        Console.WriteLine($"(load average at the end: {LoadAverage.Read()})");
    }

    private static async Task<FlowPhase> FixedRateAsync(FlowSubmitter submitter, int first, int flows, double rate)
    {
        var ended = submitter.Tracker.Expect(flows);
        var before = CpuSeconds.Now();
        var watch = Stopwatch.StartNew();
        var submits = new List<Task>(flows);
        for (var i = 0; i < flows; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            if (due > watch.Elapsed) await Task.Delay(due - watch.Elapsed); // pacing the open-loop arrivals, not synchronisation
            submits.Add(submitter.SubmitAsync(first + i));
            if (i % (int)Math.Max(1, rate) == 0) Progress.Line($"{i} of {flows} submitted");
        }

        await Task.WhenAll(submits);
        await ended.WaitAsync(TimeSpan.FromMinutes(5));
        return FlowPhase.Measure(flows, watch.Elapsed, before, CpuSeconds.Now(), submitter.Tracker);
    }

    private static async Task<FlowPhase> SaturatedAsync(FlowSubmitter submitter, int first, int flows)
    {
        var ended = submitter.Tracker.Expect(flows);
        var before = CpuSeconds.Now();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < flows; i += 100)
        {
            await Task.WhenAll(Enumerable.Range(first + i, Math.Min(100, flows - i)).Select(n => submitter.SubmitAsync(n)));
            Progress.Line($"{i + Math.Min(100, flows - i)} of {flows} submitted");
        }

        await ended.WaitAsync(TimeSpan.FromMinutes(10));
        return FlowPhase.Measure(flows, watch.Elapsed, before, CpuSeconds.Now(), submitter.Tracker);
    }

    private static string Grouping(string offered, int flows, long steps, long transactions) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{offered}: {(double)steps / flows:F1} inserts and {(double)transactions / flows:F2} transactions per order, {(double)steps / Math.Max(1, transactions):F1} inserts per transaction");

    private static string Row(string variant, string offered, FlowPhase phase)
    {
        var c = CultureInfo.InvariantCulture;
        string Ms(double seconds) => double.IsNaN(seconds) ? "–" : (seconds * 1000 / phase.Flows).ToString("F1", c);
        return $"| {variant} | {offered} | {phase.PerSecond.ToString("F0", c)} | {Ms(phase.Cpu.Client)} / {Ms(phase.Cpu.Broker)} / {Ms(phase.Cpu.Database)} | " +
               $"**{Ms(phase.Cpu.Client + phase.Cpu.Broker + phase.Cpu.Database)}** | {phase.P50.ToString("F0", c)} / {phase.P99.ToString("F0", c)} |";
    }

    private static async Task<IHost> StartHost(IsolatedEnvironment environment, string connectionString, FlowVariant variant, int concurrency,
        FlowTransactions transactions, FlowTracker tracker)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["ConnectionStrings:messaging"] = environment.RabbitMqUri.ToString();
        builder.Services.AddSingleton(transactions).AddSingleton(tracker);
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        if (variant == FlowVariant.ConsumerOutbox)
        {
            builder.Services.AddDbContextPool<BenchDbContext>(o => o.UseNpgsql(connectionString));
            builder.AddMessageBus<BenchDbContext>(Consumers, o => o.InboxCleanupEnabled = false);
        }
        else
        {
            builder.AddMessageBus(Consumers);
        }

        var host = builder.Build();
        await host.StartAsync();
        return host;

        void Consumers(IBusRegistrationConfigurator bus)
        {
            bus.AddConsumer<FlowSagaConsumer>();
            bus.AddConsumer<FlowReserveConsumer>();
            bus.AddConsumer<FlowChargeConsumer>();
            bus.AddConsumer<FlowSaleConsumer>();
            bus.AddConsumer<FlowSubmittedNotifier>();
            bus.AddConsumer<FlowConfirmedNotifier>();
            bus.AddConfigureEndpointsCallback((_, _, endpoint) =>
            {
                endpoint.ConcurrentMessageLimit = concurrency;
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.PrefetchCount = concurrency;
            });
        }
    }
}
