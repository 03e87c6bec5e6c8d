using OrderSystem.Storefront.Api;

namespace OrderSystem.Storefront;

/// <summary>
/// The Storefront host: the page in wwwroot and <c>/api/…</c>, which passes the page's calls on to the Ordering and
/// Inventory HTTP APIs. It holds no state and never touches the broker or a database.
/// </summary>
public static class StorefrontServiceExtensions
{
    public static IHostApplicationBuilder AddStorefrontServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorefrontOptions>().BindConfiguration(StorefrontOptions.Section);
        var options = builder.Configuration.GetSection(StorefrontOptions.Section).Get<StorefrontOptions>() ?? new StorefrontOptions();

        // Addresses resolved by service discovery (ServiceDefaults): the AppHost injects services__ordering__http__0, …
        builder.Services.AddHttpClient(Upstream.Ordering, c => c.BaseAddress = options.Ordering);
        builder.Services.AddHttpClient(Upstream.Inventory, c => c.BaseAddress = options.Inventory);
        // The order events stream lasts as long as the page is open: no retries, no timeouts around it. Taking the
        // standard resilience handler (ServiceDefaults) off one client is marked experimental; it is the way to do it.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(Upstream.OrderingEvents, c =>
            {
                c.BaseAddress = options.Ordering;
                c.Timeout = Timeout.InfiniteTimeSpan;
            })
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }

    public static WebApplication MapStorefrontApi(this WebApplication app)
    {
        app.MapStorefrontApiEndpoints();
        return app;
    }
}

/// <summary>Where the Ordering and Inventory APIs are (configuration section <c>Storefront</c>).</summary>
public class StorefrontOptions
{
    public const string Section = "Storefront";

    public Uri Ordering { get; set; } = new("https+http://ordering");
    public Uri Inventory { get; set; } = new("https+http://inventory");
}
