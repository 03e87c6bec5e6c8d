using System.Net;
using System.Net.Http.Json;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OrderSystem.Inventory.Persistence;
using OrderSystem.Notification.Persistence;
using OrderSystem.Ordering.Api;
using OrderSystem.Ordering.Persistence;
using OrderSystem.Payment.Persistence;
using OrderSystem.Storefront;
using OrderSystem.Storefront.Api;
using OrderSystem.Testing.Infrastructure;

namespace OrderSystem.Storefront.Tests;

/// <summary>
/// The running system for the browser: Ordering, Inventory, Payment and Notification hosted in this process (as in
/// OrderFlow.Tests: a fresh vhost and fresh databases, the AppHost's configuration keys), the Storefront host on a real
/// loopback port reaching Ordering and Inventory over HTTP through service discovery, and a headless chromium. In-process
/// rather than through the AppHost: the same services and wiring start in seconds instead of one to two minutes, and a
/// failure shows the service's exception in the test output.
/// </summary>
public sealed class StorefrontFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium (eng/install-browser.sh); <c>CHROMIUM_PATH</c> names another.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private readonly IsolatedEnvironment _environment = new();
    private readonly List<IAsyncDisposable> _hosts = [];
    private IPlaywright? _playwright;

    /// <summary>The page: <c>http://127.0.0.1:port/</c>.</summary>
    public Uri StorefrontUrl { get; private set; } = null!;

    /// <summary>Ordering's own API, to check what the page caused.</summary>
    public HttpClient Ordering { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"No chromium at {ChromiumPath}: the browser tests drive Debian's chromium. Install it with eng/install-browser.sh " +
                "(apt-get install chromium), or point CHROMIUM_PATH at a Chromium binary.");
        }

        await _environment.InitializeAsync();
        const string poolLimit = ";Maximum Pool Size=8";
        var orderdb = await _environment.CreateDatabaseAsync("orderdb") + poolLimit;
        var inventorydb = await _environment.CreateDatabaseAsync("inventorydb") + poolLimit;
        var paymentdb = await _environment.CreateDatabaseAsync("paymentdb") + poolLimit;
        var notificationdb = await _environment.CreateDatabaseAsync("notificationdb") + poolLimit;

        // Consumers first, so that their queues are bound before Ordering publishes anything.
        var inventory = Service<InventoryDbContext>("ConnectionStrings:inventorydb", inventorydb);
        Service<PaymentDbContext>("ConnectionStrings:paymentdb", paymentdb).Server.ShouldNotBeNull();
        Service<NotificationDbContext>("ConnectionStrings:notificationdb", notificationdb).Server.ShouldNotBeNull();
        var ordering = Service<OrderingDbContext>("ConnectionStrings:orderdb", orderdb);
        Ordering = ordering.CreateClient();

        var storefront = new WebApplicationFactory<StorefrontOptions>().WithWebHostBuilder(host =>
        {
            host.UseSetting("Logging:LogLevel:Default", "Warning");
            // What the AppHost's WithReference injects; the handlers below then carry the calls to the hosts in this process.
            host.UseSetting("services:ordering:http:0", "http://ordering");
            host.UseSetting("services:inventory:http:0", "http://inventory");
            host.ConfigureTestServices(services =>
            {
                services.AddHttpClient(Upstream.Ordering).ConfigurePrimaryHttpMessageHandler(() => ordering.Server.CreateHandler());
                services.AddHttpClient(Upstream.OrderingEvents).ConfigurePrimaryHttpMessageHandler(() => ordering.Server.CreateHandler());
                services.AddHttpClient(Upstream.Inventory).ConfigurePrimaryHttpMessageHandler(() => inventory.Server.CreateHandler());
            });
        });
        _hosts.Add(storefront);
        storefront.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        storefront.StartServer();
        var address = storefront.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        StorefrontUrl = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/");

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
        Assertions.SetDefaultExpectTimeout(30_000); // an order's whole flow, with room for a slow shared machine
    }

    private WebApplicationFactory<TEntryPoint> Service<TEntryPoint>(string connectionKey, string connectionString) where TEntryPoint : class
    {
        var factory = new WebApplicationFactory<TEntryPoint>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:messaging", _environment.RabbitMqUri.ToString());
            host.UseSetting(connectionKey, connectionString);
            host.UseSetting("Logging:LogLevel:Default", "Warning");
            // Start-up returns once the bus's endpoints are bound.
            host.ConfigureTestServices(services => services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true));
        });
        _hosts.Add(factory);
        return factory;
    }

    /// <summary>A fresh browser context (no stored orders) with its page open on the storefront, subscribed to the events.</summary>
    public async Task<IPage> OpenStorefrontAsync(string customerId)
    {
        var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(StorefrontUrl.ToString());
        await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-connected", "true");
        await Assertions.Expect(page.Locator("#catalog tbody tr").First).ToBeVisibleAsync();
        await page.Locator("#customer").FillAsync(customerId);
        return page;
    }

    /// <summary>Every order of <paramref name="customerId"/>, as Ordering lists them.</summary>
    public async Task<List<OrderSummary>> OrdersOfAsync(string customerId)
    {
        var page = await Ordering.GetFromJsonAsync<OrderPage>("/orders?pageSize=100");
        return page!.Items.Where(o => o.CustomerId == customerId).ToList();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        Ordering?.Dispose();
        foreach (var host in Enumerable.Reverse(_hosts)) await host.DisposeAsync();
        await _environment.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class StorefrontCollection : ICollectionFixture<StorefrontFixture>
{
    public const string Name = "storefront";
}
