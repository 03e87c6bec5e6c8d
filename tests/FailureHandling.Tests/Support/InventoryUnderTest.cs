using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrderSystem.Contracts.Inventory;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Inventory.Catalog;
using OrderSystem.Inventory.Persistence;
using OrderSystem.Inventory.Reservations;
using OrderSystem.Messaging.Storage;
using OrderSystem.Testing.Faults;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;

namespace OrderSystem.FailureHandling.Tests.Support;

/// <summary>
/// The real Inventory service hosted in the test process on the class's vhost and database, configured through the keys
/// the AppHost injects, plus short failure-policy numbers (<c>Messaging:FailureHandling:*</c>): 2 immediate retries
/// 10–50 ms apart, then redeliveries after 1 s and 2 s through the durable scheduler. Its database is reached through a
/// <see cref="TcpProxy"/> (an outage is <c>DatabaseProxy.Disconnect()</c>), and its DbContext carries
/// <see cref="DatabaseFaults"/> and <see cref="Support.ConnectionFailures"/>.
/// </summary>
public sealed class InventoryUnderTest : IAsyncDisposable
{
    public const string ReserveStockQueue = "reserve-stock";
    public const string ReserveStockErrorQueue = "reserve-stock_error";

    private readonly WebApplicationFactory<InventoryDbContext> _factory;

    private InventoryUnderTest(WebApplicationFactory<InventoryDbContext> factory, TcpProxy proxy, DatabaseFaults faults, ConnectionFailures connectionFailures,
        string directConnectionString)
    {
        _factory = factory;
        ConnectionFailures = connectionFailures;
        DatabaseProxy = proxy;
        Faults = faults;
        DirectConnectionString = directConnectionString;
    }

    public TcpProxy DatabaseProxy { get; }
    public DatabaseFaults Faults { get; }
    public ConnectionFailures ConnectionFailures { get; }

    /// <summary>The database, bypassing the proxy: what the test reads the outcome with.</summary>
    public string DirectConnectionString { get; }

    public HttpClient Http { get; private set; } = null!;
    public IBus Bus => _factory.Services.GetRequiredService<IBus>();

    public static async Task<InventoryUnderTest> StartAsync(IsolatedEnvironment environment, IReadOnlyDictionary<string, string>? settings = null)
    {
        var direct = await environment.CreateDatabaseAsync("inventorydb");
        var builder = new NpgsqlConnectionStringBuilder(direct);
        var proxy = TcpProxy.Start(builder.Host!, builder.Port);
        var proxied = new NpgsqlConnectionStringBuilder(direct) { Host = "127.0.0.1", Port = proxy.Port, MaxPoolSize = 10, Timeout = 3, CommandTimeout = 5 }.ConnectionString;
        var faults = new DatabaseFaults();
        var connectionFailures = new ConnectionFailures();

        var defaults = new Dictionary<string, string>
        {
            ["ConnectionStrings:messaging"] = environment.RabbitMqUri.ToString(),
            ["ConnectionStrings:inventorydb"] = proxied,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Messaging:FailureHandling:ImmediateRetryLimit"] = "2",
            ["Messaging:FailureHandling:ImmediateRetryMinInterval"] = "00:00:00.010",
            ["Messaging:FailureHandling:ImmediateRetryMaxInterval"] = "00:00:00.050",
            ["Messaging:FailureHandling:ImmediateRetryIntervalDelta"] = "00:00:00.010",
            ["Messaging:FailureHandling:RedeliveryIntervals:0"] = "00:00:01",
            ["Messaging:FailureHandling:RedeliveryIntervals:1"] = "00:00:02",
            ["Messaging:ErrorQueueMonitor:Interval"] = "00:00:00.250",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) defaults[key] = value;

        var factory = new WebApplicationFactory<InventoryDbContext>().WithWebHostBuilder(host =>
        {
            foreach (var (key, value) in defaults) host.UseSetting(key, value);
            host.ConfigureTestServices(services =>
            {
                services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
                services.ConfigureDbContext<InventoryDbContext>(o => o.AddInterceptors(faults, connectionFailures));
            });
        });
        var inventory = new InventoryUnderTest(factory, proxy, faults, connectionFailures, direct);
        inventory.Http = factory.CreateClient();
        return inventory;
    }

    /// <summary>Adds a product only this test uses.</summary>
    public async Task<string> AddProductAsync(int available, decimal price = 10m)
    {
        var sku = "FH-" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        await using var db = Direct();
        db.Products.Add(new Product { Sku = sku, Name = "Failure test " + sku, Price = price, Available = available });
        await db.SaveChangesAsync();
        return sku;
    }

    /// <summary>Publishes a <see cref="ReserveStock"/> with a known message id (what the order saga would send).</summary>
    public async Task<Guid> PublishReserveStockAsync(Guid orderId, string sku, int quantity, Guid? messageId = null)
    {
        var id = messageId ?? NewId.NextGuid();
        await Bus.Publish(new ReserveStock(orderId, [new OrderLine(sku, quantity)]), context => context.MessageId = id);
        return id;
    }

    public async Task<Product> ProductAsync(string sku)
    {
        await using var db = Direct();
        return await db.Products.AsNoTracking().SingleAsync(p => p.Sku == sku);
    }

    public async Task<Reservation?> ReservationAsync(Guid orderId)
    {
        await using var db = Direct();
        return await db.Reservations.AsNoTracking().SingleOrDefaultAsync(r => r.OrderId == orderId);
    }

    public async Task<InboxState?> InboxAsync(Guid messageId)
    {
        await using var db = Direct();
        return await db.Set<InboxState>().AsNoTracking().SingleOrDefaultAsync(i => i.MessageId == messageId);
    }

    /// <summary>Outbox rows of any kind still in the database (consumer outbox, bus outbox, scheduled).</summary>
    public async Task<int> OutboxRowsAsync()
    {
        await using var db = Direct();
        return await db.Set<OutboxMessage>().CountAsync();
    }

    /// <summary>Waits until the message's consumer committed and delivered what it published.</summary>
    public Task WaitHandledAsync(Guid messageId, TimeSpan? timeout = null) =>
        Eventually.True(async () => (await InboxAsync(messageId))?.Delivered is not null, $"message {messageId} to be handled", timeout);

    public async Task<string> HealthStatusAsync()
    {
        using var response = await Http.GetAsync("/health");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("status").GetString()!;
    }

    private InventoryDbContext Direct() =>
        new(new DbContextOptionsBuilder<InventoryDbContext>().UseNpgsql(DirectConnectionString).Options);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _factory.DisposeAsync();
        await DatabaseProxy.DisposeAsync();
    }
}
