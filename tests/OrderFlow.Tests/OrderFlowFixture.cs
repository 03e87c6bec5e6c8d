using System.Net.Http.Json;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Inventory.Catalog;
using OrderSystem.Messaging.Storage;
using OrderSystem.Inventory.Persistence;
using OrderSystem.Notification.Persistence;
using OrderSystem.Ordering.Api;
using OrderSystem.Ordering.Persistence;
using OrderSystem.Payment.Payments;
using OrderSystem.Payment.Persistence;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;

namespace OrderSystem.OrderFlow.Tests;

/// <summary>
/// The four services hosted in the test process (one <see cref="WebApplicationFactory{TEntryPoint}"/> each; the entry
/// point is any public type of the service's assembly), on a fresh vhost and fresh databases per test class, configured
/// exactly as the AppHost configures them (ConnectionStrings__messaging, __orderdb, …). Derived fixtures change a
/// service's settings (payment latency, timeout) or run several instances of a service (competing consumers).
/// </summary>
public class OrderFlowFixture : IAsyncLifetime
{
    public static readonly string[] TerminalStates = ["Confirmed", "Rejected", "Cancelled"];

    private readonly IsolatedEnvironment _environment = new();
    private readonly List<IAsyncDisposable> _hosts = [];

    /// <summary>This class's vhost and databases (e.g. to point the operator tool at the vhost).</summary>
    public IsolatedEnvironment Environment => _environment;

    public HttpClient Ordering { get; private set; } = null!;
    public HttpClient Inventory { get; private set; } = null!;
    public HttpClient Notification { get; private set; } = null!;
    /// <summary>A bus connected to this class's vhost, to publish what a broker redelivery or a re-driven message would.</summary>
    public IBus Bus { get; private set; } = null!;

    private IServiceProvider InventoryServices { get; set; } = null!;
    private IServiceProvider PaymentServices { get; set; } = null!;
    private IServiceProvider NotificationServices { get; set; } = null!;
    private IServiceProvider OrderingServices { get; set; } = null!;

    private const string PoolLimit = ";Maximum Pool Size=8";

    protected virtual int InventoryInstances => 1;
    protected virtual int PaymentInstances => 1;

    /// <summary>Settings of the Ordering service (e.g. <c>Ordering:PaymentTimeout</c>).</summary>
    protected virtual IReadOnlyDictionary<string, string> OrderingSettings => new Dictionary<string, string>();

    /// <summary>Settings of the Notification service (e.g. <c>ConnectionStrings:smtp</c>).</summary>
    protected virtual IReadOnlyDictionary<string, string> NotificationSettings => new Dictionary<string, string>();

    /// <summary>Settings of the Payment service (e.g. <c>Payment:Provider:Latency</c>).</summary>
    protected virtual IReadOnlyDictionary<string, string> PaymentSettings => new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        await _environment.InitializeAsync();
        // The PostgreSQL server is shared (max_connections = 100) by up to six hosts here and by other test runs: a small
        // pool per host makes a burst of requests queue for a connection instead of exhausting the server.
        var orderdb = await _environment.CreateDatabaseAsync("orderdb") + PoolLimit;
        var inventorydb = await _environment.CreateDatabaseAsync("inventorydb") + PoolLimit;
        var paymentdb = await _environment.CreateDatabaseAsync("paymentdb") + PoolLimit;
        var notificationdb = await _environment.CreateDatabaseAsync("notificationdb") + PoolLimit;

        // Consumers first, so that their queues are bound before Ordering publishes anything.
        for (var i = 0; i < InventoryInstances; i++)
        {
            var inventory = Host<InventoryDbContext>(("ConnectionStrings:inventorydb", inventorydb));
            if (i == 0)
            {
                Inventory = inventory.CreateClient();
                InventoryServices = inventory.Services;
            }
            else inventory.CreateClient().Dispose();
        }

        for (var i = 0; i < PaymentInstances; i++)
        {
            var payment = Host<PaymentDbContext>([("ConnectionStrings:paymentdb", paymentdb), .. PaymentSettings.Select(s => (s.Key, s.Value))]);
            payment.CreateClient().Dispose();
            if (i == 0) PaymentServices = payment.Services;
        }

        var notification = Host<NotificationDbContext>([("ConnectionStrings:notificationdb", notificationdb), .. NotificationSettings.Select(s => (s.Key, s.Value))]);
        Notification = notification.CreateClient();
        NotificationServices = notification.Services;
        var ordering = Host<OrderingDbContext>([("ConnectionStrings:orderdb", orderdb), .. OrderingSettings.Select(s => (s.Key, s.Value))]);
        Ordering = ordering.CreateClient();
        Bus = ordering.Services.GetRequiredService<IBus>();
        OrderingServices = ordering.Services;
    }

    private WebApplicationFactory<TEntryPoint> Host<TEntryPoint>(params (string Key, string Value)[] settings) where TEntryPoint : class
    {
        var factory = new WebApplicationFactory<TEntryPoint>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:messaging", _environment.RabbitMqUri.ToString());
            host.UseSetting("Logging:LogLevel:Default", "Warning");
            foreach (var (key, value) in settings) host.UseSetting(key, value);
            // Start-up returns once the bus's endpoints are bound: no message of a test is published into the void.
            host.ConfigureTestServices(services => services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true));
        });
        _hosts.Add(factory);
        return factory;
    }

    // ---- Acting through the public HTTP API ----

    public async Task<Guid> SubmitAsync(string customerId, params (string Sku, int Quantity)[] lines)
    {
        var response = await Ordering.PostAsJsonAsync("/orders", new { customerId, lines = lines.Select(l => new { sku = l.Sku, quantity = l.Quantity }) });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<OrderAccepted>())!.OrderId;
    }

    public async Task<OrderDetails> GetOrderAsync(Guid orderId) => (await Ordering.GetFromJsonAsync<OrderDetails>($"/orders/{orderId}"))!;

    public Task<OrderDetails> WaitForStateAsync(Guid orderId, string state, TimeSpan? timeout = null) =>
        Eventually.Get(() => GetOrderAsync(orderId), o => o.State == state, $"order {orderId} to be {state}", timeout);

    public Task<OrderDetails> WaitForTerminalStateAsync(Guid orderId, TimeSpan? timeout = null) =>
        Eventually.Get(() => GetOrderAsync(orderId), o => TerminalStates.Contains(o.State), $"order {orderId} to end", timeout);

    public async Task<List<NotificationView>> NotificationsAsync(Guid orderId) =>
        (await Notification.GetFromJsonAsync<List<NotificationView>>($"/notifications?orderId={orderId}"))!;

    public record NotificationView(Guid OrderId, string Kind, string Recipient, string Subject, string Channel, DateTimeOffset? SentAt);

    /// <summary>
    /// Waits until the order has a sent notification of each of <paramref name="kinds"/> (one per outcome: the
    /// <c>OrderReceived</c> of <c>OrderSubmitted</c>, then the order's end), and returns them all, so that the caller can
    /// check there is exactly one of each and nothing else.
    /// </summary>
    public Task<List<NotificationView>> WaitForNotificationsAsync(Guid orderId, params string[] kinds) =>
        Eventually.Get(() => NotificationsAsync(orderId),
            n => kinds.All(kind => n.Any(x => x.Kind == kind && x.SentAt is not null)),
            $"the {string.Join(" and ", kinds)} notifications of order {orderId}");

    // ---- Arranging and inspecting the services' own databases ----

    /// <summary>
    /// Adds a product only this test uses, so tests sharing the fixture never compete for stock; its SKU is
    /// <paramref name="skuPrefix"/> and 12 random characters.
    /// </summary>
    public async Task<string> AddProductAsync(int available, decimal price = 10m, string skuPrefix = "TEST-")
    {
        var sku = skuPrefix + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        await using var scope = InventoryServices.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InventoryDbContext>();
        db.Products.Add(new Product { Sku = sku, Name = "Test product " + sku, Price = price, Available = available });
        await db.SaveChangesAsync();
        return sku;
    }

    public async Task<Product> ProductAsync(string sku)
    {
        await using var scope = InventoryServices.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<InventoryDbContext>().Products.AsNoTracking().SingleAsync(p => p.Sku == sku);
    }

    public async Task<List<PaymentRecord>> PaymentsAsync(Guid orderId)
    {
        await using var scope = PaymentServices.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PaymentDbContext>().Payments.AsNoTracking().Where(p => p.OrderId == orderId).ToListAsync();
    }

    public async Task<List<PaymentRecord>> AllPaymentsAsync()
    {
        await using var scope = PaymentServices.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PaymentDbContext>().Payments.AsNoTracking().ToListAsync();
    }

    /// <summary>
    /// Publishes <paramref name="message"/> with a known message id and waits until a consumer of Inventory, Payment or
    /// Notification has handled it and delivered what it published (the inbox row of the messaging building block
    /// records both).
    /// </summary>
    public async Task PublishAndWaitHandledAsync<T>(T message) where T : class
    {
        var messageId = NewId.NextGuid();
        await Bus.Publish(message, context => context.MessageId = messageId);
        await Eventually.True(
            async () => await HandledAsync<InventoryDbContext>(InventoryServices, messageId)
                        || await HandledAsync<PaymentDbContext>(PaymentServices, messageId)
                        || await HandledAsync<NotificationDbContext>(NotificationServices, messageId),
            $"{typeof(T).Name} {messageId} to be handled");
    }

    /// <summary>
    /// Publishes <paramref name="message"/> with a known message id and waits until <paramref name="subscribers"/> of
    /// Ordering (the saga), Inventory, Payment and Notification have each handled it (their inbox rows): an event with
    /// several subscribers.
    /// </summary>
    public async Task PublishAndWaitHandledByAsync<T>(T message, int subscribers) where T : class
    {
        var messageId = NewId.NextGuid();
        await Bus.Publish(message, context => context.MessageId = messageId);
        await Eventually.True(
            async () => (await HandledAsync<OrderingDbContext>(OrderingServices, messageId) ? 1 : 0)
                        + (await HandledAsync<InventoryDbContext>(InventoryServices, messageId) ? 1 : 0)
                        + (await HandledAsync<PaymentDbContext>(PaymentServices, messageId) ? 1 : 0)
                        + (await HandledAsync<NotificationDbContext>(NotificationServices, messageId) ? 1 : 0) == subscribers,
            $"{typeof(T).Name} {messageId} to be handled by {subscribers} services");
    }

    /// <summary>Publishes <paramref name="message"/> and waits until the order saga has handled it (its inbox row in orderdb).</summary>
    public async Task PublishAndWaitHandledBySagaAsync<T>(T message) where T : class
    {
        var messageId = NewId.NextGuid();
        await Bus.Publish(message, context => context.MessageId = messageId);
        await Eventually.True(() => HandledAsync<OrderingDbContext>(OrderingServices, messageId), $"{typeof(T).Name} {messageId} to be handled by the saga");
    }

    private static async Task<bool> HandledAsync<TDbContext>(IServiceProvider services, Guid messageId) where TDbContext : DbContext
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TDbContext>().Set<InboxState>()
            .AnyAsync(i => i.MessageId == messageId && i.Delivered != null);
    }

    public async Task DisposeAsync()
    {
        Ordering?.Dispose();
        Inventory?.Dispose();
        Notification?.Dispose();
        foreach (var host in Enumerable.Reverse(_hosts)) await host.DisposeAsync();
        await _environment.DisposeAsync();
    }
}
