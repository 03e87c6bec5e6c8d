using System.Diagnostics;
using System.Runtime.InteropServices;
using HdrHistogram;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OrderSystem.Messaging.Benchmarks;
using OrderSystem.Messaging.Benchmarks.Contracts;
using OrderSystem.Messaging.Benchmarks.Flow;
using OrderSystem.Messaging.Bus;
using OrderSystem.Messaging.Configuration;
using OrderSystem.Messaging.ConsumerOutbox;
using OrderSystem.Testing.Infrastructure;

// Usage: dotnet run -c Release -- [messages=5000] [latencySamples=300] [concurrency=32] [raw|outbox|flow [rate…]]
// With "raw" only the raw MassTransit run (eng/benchmark-e2e.sh measures it in the same run as the whole system); with
// "outbox" only the pooled outbox run (for a profiler attached to this process: its trace then holds nothing else); with
// "flow" the floor under the end-to-end benchmark (Flow/FlowRun.cs): one order's messages through raw MassTransit, at
// the given rates (default 30 orders/s, FLOW_PHASE_SECONDS each, default 20) and saturated with `messages` orders.
// Needs RABBITMQ_URI, RABBITMQ_MANAGEMENT_URL, POSTGRES_CONNECTION_STRING (eval "$(eng/infra.sh env)").
var messages = args.Length > 0 ? int.Parse(args[0]) : 5000;
var samples = args.Length > 1 ? int.Parse(args[1]) : 300;
var concurrency = args.Length > 2 ? int.Parse(args[2]) : 32;
var rawOnly = args.Length > 3 && args[3] == "raw";
var outboxOnly = args.Length > 3 && args[3] == "outbox";
var flow = args.Length > 3 && args[3] == "flow";

var environment = new IsolatedEnvironment();
await environment.InitializeAsync();
try
{
    var connectionString = new NpgsqlConnectionStringBuilder(await environment.CreateDatabaseAsync("bench")) { MaxPoolSize = 40, MaxAutoPrepare = 50, AutoPrepareMinUsages = 2, NoResetOnClose = true }.ConnectionString;
    await CreateSchema(connectionString);

    Console.WriteLine("# OrderSystem.Messaging benchmark");
    Console.WriteLine();
    Console.WriteLine($"- when: {DateTime.UtcNow:u}; machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    Console.WriteLine($"- broker: RabbitMQ {await RabbitVersion(environment)}; database: {await PostgresVersion(connectionString)}");
    Console.WriteLine(flow
        ? $"- flow: {messages} orders in the saturated run, fixed rates of {string.Join(", ", args.Skip(4).DefaultIfEmpty("30"))}/s; endpoint concurrency {concurrency}; " +
          "broker, database and client share the same cores"
        : $"- {messages} messages per throughput run after {WarmUp.TotalSeconds:F0} s of warm-up (BENCH_WARMUP_SECONDS); endpoint concurrency {concurrency}; " +
          "broker, database and client share the same cores");
    Console.WriteLine("- Npgsql: Max Auto Prepare = 50 (server-side prepared statements for the outbox's repeated statements); No Reset On Close (as the services)");
    Console.WriteLine();

    if (flow)
    {
        var rates = args.Skip(4).Select(r => double.Parse(r, System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(30).ToList();
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("FLOW_PHASE_SECONDS"), out var s) ? s : 20;
        await FlowRun.RunAsync(environment, connectionString, messages, concurrency, rates, seconds);
        return;
    }

    if (outboxOnly)
    {
        var run = await Throughput(environment, connectionString, messages, concurrency, outbox: true, pooled: true);
        Console.WriteLine("| consume → publish | msg/s | client CPU ms/msg | KB allocated/msg |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| consumer outbox + inbox, pooled DbContext | {run.PerSecond:F0} | {run.CpuMsPerMessage:F2} | {run.KbPerMessage:F0} |");
        Console.WriteLine($"(\"delivered\" marks: {run.Marks})");
        return;
    }

    var raw = await Throughput(environment, connectionString, messages, concurrency, outbox: false, pooled: false);
    if (rawOnly)
    {
        Console.WriteLine("| consume → publish | msg/s |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| raw MassTransit | {raw.PerSecond:F0} |");
        return;
    }

    var withOutbox = await Throughput(environment, connectionString, messages, concurrency, outbox: true, pooled: false);
    var pooledOutbox = await Throughput(environment, connectionString, messages, concurrency, outbox: true, pooled: true);
    Console.WriteLine($"| consume → publish (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}) | msg/s | of raw | client CPU ms/msg | KB allocated/msg |");
    Console.WriteLine("|---|---|---|---|---|");
    foreach (var (name, run) in new[] { ("raw MassTransit", raw), ("consumer outbox + inbox, DbContext per scope", withOutbox), ("consumer outbox + inbox, pooled DbContext (as the services)", pooledOutbox) })
        Console.WriteLine($"| {name} | {run.PerSecond:F0} | {run.PerSecond / raw.PerSecond:P0} | {run.CpuMsPerMessage:F2} | {run.KbPerMessage:F0} |");
    Console.WriteLine("(targets: outbox ≥ 50 % of raw; allocations ≤ 2× raw)");
    Console.WriteLine($"(\"delivered\" marks of the pooled run: {pooledOutbox.Marks})");
    Console.WriteLine();

    var latency = await CommitToDelivered(environment, connectionString, samples);
    Console.WriteLine("| bus outbox commit → delivered (light load, one at a time) | ms |");
    Console.WriteLine("|---|---|");
    Console.WriteLine($"| p50 | {latency.GetValueAtPercentile(50) / 1000.0:F1} (target < 20) |");
    Console.WriteLine($"| p90 | {latency.GetValueAtPercentile(90) / 1000.0:F1} |");
    Console.WriteLine($"| p99 | {latency.GetValueAtPercentile(99) / 1000.0:F1} |");
    Console.WriteLine($"| max | {latency.GetMaxValue() / 1000.0:F1} |");
    Console.WriteLine($"| samples | {latency.TotalCount} |");
    Console.WriteLine($"(load average at the end: {File.ReadAllText("/proc/loadavg").Trim()})");
}
finally
{
    await environment.DisposeAsync();
}

static async Task<ThroughputRun> Throughput(IsolatedEnvironment environment, string connectionString, int messages, int concurrency, bool outbox, bool pooled)
{
    var counter = new Counter();
    using var host = await StartHost(environment, connectionString, outbox, concurrency, pooled, bus =>
    {
        bus.AddConsumer<BenchRequestConsumer>();
        bus.AddConsumer<BenchRepliedConsumer>();
    }, services => services.AddSingleton(counter));
    var bus = host.Services.GetRequiredService<IBus>();
    var endpoint = await bus.GetSendEndpoint(new Uri("queue:bench-request"));

    async Task Run(int count)
    {
        var replied = counter.Expect(count);
        for (var i = 0; i < count; i += 100)
            await Task.WhenAll(Enumerable.Range(i, Math.Min(100, count - i)).Select(n => endpoint.Send(new BenchRequest(n))));
        await replied.WaitAsync(TimeSpan.FromMinutes(10));
    }

    // Warm up for a fixed time, not a number of messages: what has to finish is the JIT's tiering of MassTransit, EF Core
    // and Npgsql (several CPU seconds on this machine), and a tenth of the run, as before, left most of it in the measured
    // window (docs/performance.md, "The benchmark's warm-up").
    var warming = Stopwatch.StartNew();
    do await Run(500);
    while (warming.Elapsed < WarmUp);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var allocated = GC.GetTotalAllocatedBytes(precise: false);
    var watch = Stopwatch.StartNew();
    await Run(messages);
    watch.Stop();
    var run = new ThroughputRun(messages / watch.Elapsed.TotalSeconds,
        (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / messages,
        (GC.GetTotalAllocatedBytes(precise: false) - allocated) / 1024.0 / messages,
        host.Services.GetService<DeliveredMarks<BenchDbContext>>() is { } marks
            ? $"{marks.Carried} carried in another message's pass, {marks.WrittenByOwners} written by their owners in {marks.OwnerStatements} statements"
            : "none");
    await host.StopAsync();
    return run;
}

static async Task<LongHistogram> CommitToDelivered(IsolatedEnvironment environment, string connectionString, int samples)
{
    var arrivals = new Arrivals();
    using var host = await StartHost(environment, connectionString, outbox: true, concurrency: 8, pooled: true, bus => bus.AddConsumer<BenchPingConsumer>(),
        services => services.AddSingleton(arrivals), outboxOnEndpoints: false);
    var histogram = new LongHistogram(TimeSpan.TicksPerMinute, 3);
    for (var i = -20; i < samples; i++) // the first 20 warm up
    {
        var arrived = arrivals.Expect(i);
        long committed;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>().Publish(new BenchPing(i));
            await db.SaveChangesAsync();
            committed = Stopwatch.GetTimestamp();
        }

        var at = await arrived.WaitAsync(TimeSpan.FromSeconds(30));
        if (i >= 0) histogram.RecordValue(Math.Max(0, (long)Stopwatch.GetElapsedTime(committed, at).TotalMicroseconds));
        await Task.Delay(TimeSpan.FromMilliseconds(10)); // light load by design: one message in flight, a pause between commits
    }

    await host.StopAsync();
    return histogram;
}

static async Task<IHost> StartHost(IsolatedEnvironment environment, string connectionString, bool outbox, int concurrency, bool pooled,
    Action<IBusRegistrationConfigurator> consumers, Action<IServiceCollection> services, bool outboxOnEndpoints = true)
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
    builder.Configuration["ConnectionStrings:messaging"] = environment.RabbitMqUri.ToString();
    if (pooled) builder.Services.AddDbContextPool<BenchDbContext>(o => o.UseNpgsql(connectionString));
    else builder.Services.AddDbContext<BenchDbContext>(o => o.UseNpgsql(connectionString));
    builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
    services(builder.Services);

    void Configure(IBusRegistrationConfigurator bus)
    {
        consumers(bus);
        bus.AddConfigureEndpointsCallback((context, name, endpoint) =>
        {
            endpoint.ConcurrentMessageLimit = concurrency;
            if (endpoint is MassTransit.IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.PrefetchCount = concurrency;
            // Only the measured consumer gets the outbox: the reply counter costs the same in both runs.
            if (outbox && outboxOnEndpoints && name == "bench-request") endpoint.UseEntityFrameworkOutbox<BenchDbContext>(context);
        });
    }

    if (outbox)
        builder.AddMessageBus<BenchDbContext>(Configure, o =>
        {
            o.ConsumerOutboxOnAllEndpoints = false;
            o.InboxCleanupEnabled = false;
        });
    else
        builder.AddMessageBus(Configure);

    var host = builder.Build();
    await host.StartAsync();
    return host;
}

static async Task CreateSchema(string connectionString)
{
    await using var db = new BenchDbContext(new DbContextOptionsBuilder<BenchDbContext>().UseNpgsql(connectionString).Options);
    var model = db.GetService<IDesignTimeModel>().Model;
    var operations = db.GetService<IMigrationsModelDiffer>().GetDifferences(null, model.GetRelationalModel());
    foreach (var command in db.GetService<IMigrationsSqlGenerator>().Generate(operations, model))
        await db.Database.ExecuteSqlRawAsync(command.CommandText);
}

static async Task<string> RabbitVersion(IsolatedEnvironment environment)
{
    using var http = new HttpClient();
    var management = environment.Servers.RabbitMqManagementUri;
    var credentials = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(management.UserInfo)));
    http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", credentials);
    var overview = await http.GetStringAsync(new UriBuilder(management) { UserName = "", Password = "", Path = "/api/overview" }.Uri);
    using var json = System.Text.Json.JsonDocument.Parse(overview);
    return json.RootElement.GetProperty("rabbitmq_version").GetString() ?? "?";
}

static async Task<string> PostgresVersion(string connectionString)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand("SHOW server_version", connection);
    return "PostgreSQL " + await command.ExecuteScalarAsync();
}

/// <summary>One throughput run; <paramref name="Marks"/> says how the consumer outbox's "delivered" marks were written (warm-up included).</summary>
internal sealed record ThroughputRun(double PerSecond, double CpuMsPerMessage, double KbPerMessage, string Marks);

internal partial class Program
{
    /// <summary>Load before each throughput run's measured window (default 10 s).</summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(
        double.TryParse(Environment.GetEnvironmentVariable("BENCH_WARMUP_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 10);
}
