using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static class BaggageAttributeExtensions
{
    /// <summary>Copies the baggage entries <paramref name="keys"/> onto every span and log record of this service.</summary>
    public static IHostApplicationBuilder AddBaggageAttributes(this IHostApplicationBuilder builder, params string[] keys)
    {
        builder.Services.Configure<BaggageAttributeOptions>(options => options.Keys.UnionWith(keys));
        return builder;
    }
}
