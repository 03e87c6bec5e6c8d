using OrderSystem.Messaging.Bus;
using OrderSystem.Ordering.Persistence;

namespace OrderSystem.Ordering;

/// <summary>Everything the Ordering service registers, in one place (Program.cs stays a few lines).</summary>
public static class OrderingServiceExtensions
{
    /// <summary>Connection-string name of this service's database, as the AppHost declares it.</summary>
    public const string DatabaseName = "orderdb";

    public static IHostApplicationBuilder AddOrderingServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<OrderingDbContext>(DatabaseName);
        builder.AddMessageBus(bus =>
        {
        });
        return builder;
    }
}
