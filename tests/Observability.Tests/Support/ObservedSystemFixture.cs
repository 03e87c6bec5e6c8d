using System.Diagnostics;
using System.Net.Http.Json;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;
using OrderSystem.Inventory.Catalog;
using OrderSystem.Inventory.Persistence;
using OrderSystem.Notification.Persistence;
using OrderSystem.Ordering.Api;
using OrderSystem.Ordering.Persistence;
using OrderSystem.Payment.Persistence;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;

namespace OrderSystem.Observability.Tests.Support;

/// <summary>
/// The four services in this process (one <see cref="WebApplicationFactory{TEntryPoint}"/> each, configured with the
/// AppHost's keys, as in OrderFlow.Tests), on a fresh vhost and fresh databases, with what they export captured:
/// <see cref="Spans"/> (the in-memory exporter on the tracer provider <c>AddServiceDefaults()</c> builds) and
/// <see cref="OrderingServices"/> for the meters of the Ordering host.
/// </summary>
public class ObservedSystemFixture : IAsyncLifetime
{
    public static readonly string[] TerminalStates = ["Confirmed", "Rejected", "Cancelled"];

    private readonly IsolatedEnvironment _environment = new();
    private readonly List<IAsyncDisposable> _hosts = [];
    private const string PoolLimit = ";Maximum Pool Size=8";

    public SpanCapture Spans { get; } = new();
    public LogCapture Logs { get; } = new();

    /// <summary>The servers' passwords, which no log record may contain.</summary>
    public IReadOnlyList<string> Secrets { get; private set; } = [];

    /// <summary>Each host's services, by service name.</summary>
    public Dictionary<string, IServiceProvider> Services { get; } = [];
    public HttpClient Ordering { get; private set; } = null!;
    public IServiceProvider OrderingServices { get; private set; } = null!;
    private IServiceProvider InventoryServices { get; set; } = null!;

    /// <summary>Settings of the Ordering service (e.g. <c>Ordering:PaymentTimeout</c>).</summary>
    protected virtual IReadOnlyDictionary<string, string> OrderingSettings => new Dictionary<string, string>();

    /// <summary>Settings of the Payment service (e.g. <c>Payment:Provider:Latency</c>).</summary>
    protected virtual IReadOnlyDictionary<string, string> PaymentSettings => new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        await _environment.InitializeAsync();
        var orderdb = await _environment.CreateDatabaseAsync("orderdb") + PoolLimit;
        var inventorydb = await _environment.CreateDatabaseAsync("inventorydb") + PoolLimit;
        var paymentdb = await _environment.CreateDatabaseAsync("paymentdb") + PoolLimit;
        var notificationdb = await _environment.CreateDatabaseAsync("notificationdb") + PoolLimit;

        // Consumers first, so that their queues are bound before Ordering publishes anything. Each host starts inside
        // its own attribution, which everything it spawns inherits.
        var inventory = Host<InventoryDbContext>("inventory", capture: false, ("ConnectionStrings:inventorydb", inventorydb));
        InventoryServices = Services["inventory"] = ServiceAttribution.Enter("inventory", () => inventory.Services);
        var payment = Host<PaymentDbContext>("payment", capture: false,
            [("ConnectionStrings:paymentdb", paymentdb), .. PaymentSettings.Select(s => (s.Key, s.Value))]);
        Services["payment"] = ServiceAttribution.Enter("payment", () => payment.Services);
        var notification = Host<NotificationDbContext>("notification", capture: false, ("ConnectionStrings:notificationdb", notificationdb));
        Services["notification"] = ServiceAttribution.Enter("notification", () => notification.Services);
        var ordering = Host<OrderingDbContext>("ordering", capture: true,
            [("ConnectionStrings:orderdb", orderdb), .. OrderingSettings.Select(s => (s.Key, s.Value))]);
        OrderingServices = Services["ordering"] = ServiceAttribution.Enter("ordering", () => ordering.Services);
        Ordering = ordering.CreateClient();

        var brokerPassword = Uri.UnescapeDataString(_environment.RabbitMqUri.UserInfo.Split(':', 2).ElementAtOrDefault(1) ?? "");
        var databasePassword = new Npgsql.NpgsqlConnectionStringBuilder(orderdb).Password ?? "";
        Secrets = new[] { brokerPassword, databasePassword }.Where(p => p.Length > 0).ToList();
    }

    private WebApplicationFactory<TEntryPoint> Host<TEntryPoint>(string serviceName, bool capture, params (string Key, string Value)[] settings)
        where TEntryPoint : class
    {
        var factory = new WebApplicationFactory<TEntryPoint>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:messaging", _environment.RabbitMqUri.ToString());
            host.UseSetting("OTEL_SERVICE_NAME", serviceName);
            host.UseSetting("Logging:LogLevel:Default", "Warning");
            // What the services log about their work, the bus's own messages and EF Core's commands (to check that
            // neither parameters nor credentials reach the logs).
            host.UseSetting("Logging:LogLevel:OrderSystem", "Information");
            host.UseSetting("Logging:LogLevel:MassTransit", "Information");
            host.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "Information");
            foreach (var (key, value) in settings) host.UseSetting(key, value);
            host.ConfigureTestServices(services =>
            {
                services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
                // The request runs in the caller's execution context, so that the caller can say which service it hits.
                services.Configure<TestServerOptions>(o => o.PreserveExecutionContext = true);
                services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddProcessor(Logs.For(serviceName)));
                // Every host's tracer provider sees every span of the process (same sources): one of them exports.
                if (capture)
                {
                    services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
                        .AddProcessor(Spans.Attribution)
                        .AddInMemoryExporter(Spans.Exported));
                }
            });
        });
        _hosts.Add(factory);
        return factory;
    }

    // ---- Acting through the public HTTP API ----

    /// <summary>Submits an order as a client would; returns the order id and the trace id of the HTTP request.</summary>
    public Task<(Guid OrderId, ActivityTraceId TraceId)> SubmitAsync(string customerId, params (string Sku, int Quantity)[] lines) =>
        ServiceAttribution.As("ordering", async () =>
        {
            var response = await Ordering.PostAsJsonAsync("/orders", new { customerId, lines = lines.Select(l => new { sku = l.Sku, quantity = l.Quantity }) });
            response.EnsureSuccessStatusCode();
            var orderId = (await response.Content.ReadFromJsonAsync<OrderAccepted>())!.OrderId;
            var request = await Eventually.Get(
                () => Task.FromResult(Spans.Where(a => a.Kind == ActivityKind.Server && a.GetTagItem("order.id") as string == orderId.ToString()).FirstOrDefault()),
                a => a is not null, $"the HTTP span of order {orderId}");
            return (orderId, request!.TraceId);
        });

    public async Task<OrderDetails> GetOrderAsync(Guid orderId) => (await Ordering.GetFromJsonAsync<OrderDetails>($"/orders/{orderId}"))!;

    public Task<OrderDetails> WaitForStateAsync(Guid orderId, string state) =>
        Eventually.Get(() => GetOrderAsync(orderId), o => o.State == state, $"order {orderId} to be {state}");

    /// <summary>Adds a product only this test uses, so tests sharing the fixture never compete for stock.</summary>
    public async Task<string> AddProductAsync(int available, decimal price = 10m)
    {
        var sku = "TEST-" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        await using var scope = InventoryServices.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InventoryDbContext>();
        db.Products.Add(new Product { Sku = sku, Name = "Test product " + sku, Price = price, Available = available });
        await db.SaveChangesAsync();
        return sku;
    }

    public async Task DisposeAsync()
    {
        Ordering?.Dispose();
        foreach (var host in Enumerable.Reverse(_hosts)) await host.DisposeAsync();
        await _environment.DisposeAsync();
    }
}
