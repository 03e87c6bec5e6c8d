using System.Collections.Concurrent;
using System.Net.Http.Json;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrderSystem.Contracts.Inventory;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Inventory.Catalog;
using OrderSystem.Inventory.OperatorAccess;
using OrderSystem.Inventory.Persistence;
using OrderSystem.Inventory.Reservations;
using OrderSystem.Testing.Infrastructure;

namespace OrderSystem.Inventory.Tests.Support;

/// <summary>
/// The real Inventory service (API, reservation consumers, bus outbox) in the test process, on its own vhost and
/// database, configured through the keys the AppHost injects: <c>ConnectionStrings:*</c> and
/// <c>Inventory:OperatorApiKey</c> (null: not configured). <see cref="Logs"/> holds everything it logged.
/// </summary>
public sealed class InventoryHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<InventoryDbContext> _factory;

    private InventoryHost(WebApplicationFactory<InventoryDbContext> factory, string connectionString, LogRecorder logs, string? apiKey)
    {
        _factory = factory;
        ConnectionString = connectionString;
        Logs = logs;
        ApiKey = apiKey;
        Http = factory.CreateClient();
    }

    public HttpClient Http { get; }
    public string ConnectionString { get; }
    public LogRecorder Logs { get; }
    public string? ApiKey { get; }
    public IBus Bus => _factory.Services.GetRequiredService<IBus>();

    public static async Task<InventoryHost> StartAsync(IsolatedEnvironment environment, string? apiKey, string? connectionString = null)
    {
        connectionString ??= await environment.CreateDatabaseAsync("inventorydb");
        var logs = new LogRecorder();
        var factory = new WebApplicationFactory<InventoryDbContext>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:messaging", environment.RabbitMqUri.ToString());
            host.UseSetting("ConnectionStrings:inventorydb", connectionString);
            if (apiKey is not null) host.UseSetting(OperatorApiKey.ConfigurationKey, apiKey);
            // Everything ASP.NET Core says about requests and authentication, to show the key never appears in it.
            host.UseSetting("Logging:LogLevel:Default", "Information");
            host.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Trace");
            host.ConfigureLogging(logging => logging.AddProvider(logs));
            host.ConfigureTestServices(services => services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true));
        });
        var inventory = new InventoryHost(factory, connectionString, logs, apiKey);
        (await inventory.Http.GetAsync("/health")).EnsureSuccessStatusCode(); // started: migrated, bus connected
        return inventory;
    }

    /// <summary>A request with the operator key in <c>X-Api-Key</c> (or <paramref name="key"/>, or none when it is empty).</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, string? key = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType());
        key ??= ApiKey;
        if (!string.IsNullOrEmpty(key)) request.Headers.Add(OperatorApiKey.HeaderName, key);
        return Http.SendAsync(request);
    }

    /// <summary>Adds a product only this test uses, straight into the database.</summary>
    public async Task<string> AddProductAsync(int available, int reserved = 0, decimal price = 10m)
    {
        var sku = "T-" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        await using var db = Db();
        db.Products.Add(new Product { Sku = sku, Name = "Test " + sku, Price = price, Available = available, Reserved = reserved });
        await db.SaveChangesAsync();
        return sku;
    }

    public async Task<Product?> ProductAsync(string sku)
    {
        await using var db = Db();
        return await db.Products.AsNoTracking().SingleOrDefaultAsync(p => p.Sku == sku);
    }

    public async Task<List<Reservation>> ReservationsAsync(IReadOnlyCollection<Guid> orderIds)
    {
        await using var db = Db();
        return await db.Reservations.AsNoTracking().Where(r => orderIds.Contains(r.OrderId)).ToListAsync();
    }

    /// <summary>Publishes a <see cref="ReserveStock"/>, as the order saga does.</summary>
    public Task ReserveAsync(Guid orderId, string sku, int quantity) => Bus.Publish(new ReserveStock(orderId, [new OrderLine(sku, quantity)]));

    /// <summary>Starts recording every <typeparamref name="T"/> published on the broker (a queue of its own bound to the type).</summary>
    public async Task<IReadOnlyCollection<T>> RecordAsync<T>() where T : class
    {
        var seen = new ConcurrentQueue<T>();
        var handle = Bus.ConnectReceiveEndpoint("record-" + typeof(T).Name + "-" + Guid.NewGuid().ToString("N")[..6], e =>
        {
            if (e is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.AutoDelete = true;
            e.Handler<T>(context =>
            {
                seen.Enqueue(context.Message);
                return Task.CompletedTask;
            });
        });
        await handle.Ready;
        return seen;
    }

    /// <summary>A DbContext of its own on this service's database (the caller disposes it).</summary>
    public InventoryDbContext Db() => new(new DbContextOptionsBuilder<InventoryDbContext>().UseNpgsql(ConnectionString).Options);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _factory.DisposeAsync();
    }
}
