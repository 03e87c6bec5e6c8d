using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrderSystem.Testing.Faults;
using OrderSystem.Inventory.Persistence;
using OrderSystem.Notification.Persistence;
using OrderSystem.Ordering.Persistence;
using OrderSystem.Payment.Persistence;
using OrderSystem.Testing.Hosting;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Platform.Tests;

/// <summary>
/// A service probed for readiness from its first moment (as eng/run.sh and the AppHost do) logs no error on the way to
/// Healthy: "not ready yet" during start-up is not a fault, and a newcomer's first look at the logs should not say so.
/// </summary>
public sealed class StartupLogSpecs(IsolatedEnvironment env) : IClassFixture<IsolatedEnvironment>
{
    [Theory]
    [MemberData(nameof(ServiceUnderTest.All), MemberType = typeof(ServiceUnderTest))]
    public async Task Start_up_probed_from_the_first_moment_logs_no_error(string service)
    {
        var database = await env.CreateDatabaseAsync(ServiceUnderTest.DatabaseOf(service));
        var logs = new Records();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:messaging"] = env.RabbitMqUri.ToString(),
            [$"ConnectionStrings:{ServiceUnderTest.DatabaseOf(service)}"] = database,
        };
        var probes = service switch
        {
            "Ordering" => await ProbeUntilHealthyAsync(new ServiceHost<OrderingDbContext>(settings), logs),
            "Inventory" => await ProbeUntilHealthyAsync(new ServiceHost<InventoryDbContext>(settings), logs),
            "Payment" => await ProbeUntilHealthyAsync(new ServiceHost<PaymentDbContext>(settings), logs),
            "Notification" => await ProbeUntilHealthyAsync(new ServiceHost<NotificationDbContext>(settings), logs),
            _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
        };

        var errors = logs.All.Where(r => r.Level >= LogLevel.Error || r.Message.Contains("Unhealthy")).ToList();
        errors.ShouldBeEmpty($"{service} probes: {string.Join(", ", probes)}; logged:\n{string.Join("\n", errors)}");
    }

    [Fact]
    public async Task An_outage_after_start_up_is_still_logged_as_an_error()
    {
        var database = new NpgsqlConnectionStringBuilder(await env.CreateDatabaseAsync("orderdb"));
        await using var proxy = TcpProxy.Start(database.Host!, database.Port);
        database.Host = "127.0.0.1";
        database.Port = proxy.Port;
        database.Timeout = 3;
        var logs = new Records();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:messaging"] = env.RabbitMqUri.ToString(),
            ["ConnectionStrings:orderdb"] = database.ConnectionString,
        };
        await using var host = new ServiceHost<OrderingDbContext>(settings);
        await using var logged = host.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(logs)));
        using var client = logged.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await Eventually.Get(() => HealthReport.ReadAsync(client), r => r.Status == "Healthy", "healthy before the outage");

        proxy.Disconnect();
        await Eventually.Get(() => HealthReport.ReadAsync(client), r => r.Status == "Unhealthy", "/health Unhealthy with the database unreachable",
            TimeSpan.FromSeconds(60));

        logs.All.ShouldContain(r => r.Level == LogLevel.Error && r.Category.EndsWith("DefaultHealthCheckService") && r.Message.Contains("orderdb"),
            "the outage is logged as an error once the service has been ready");
        proxy.Reconnect();
    }

    /// <summary>Starts the host and asks <c>/health</c> at once and again until it is Healthy; the answers, in order.</summary>
    private static async Task<List<HttpStatusCode>> ProbeUntilHealthyAsync<T>(ServiceHost<T> host, Records logs) where T : class
    {
        await using var _ = host;
        await using var logged = host.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(logs)));
        using var client = logged.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var probes = new List<HttpStatusCode>();
        await Eventually.True(async () =>
        {
            using var response = await client.GetAsync("/health");
            probes.Add(response.StatusCode);
            return response.StatusCode == HttpStatusCode.OK;
        }, $"{typeof(T).Name} /health Healthy");
        return probes;
    }

    private sealed class Records : ILoggerProvider
    {
        private readonly ConcurrentQueue<Record> _records = new();

        public IReadOnlyList<Record> All => _records.ToArray();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _records);

        public void Dispose() { }

        private sealed class Logger(string category, ConcurrentQueue<Record> records) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                records.Enqueue(new Record(category, logLevel, formatter(state, exception)));
        }
    }

    private sealed record Record(string Category, LogLevel Level, string Message)
    {
        public override string ToString() => $"{Level} {Category}: {Message}";
    }
}
