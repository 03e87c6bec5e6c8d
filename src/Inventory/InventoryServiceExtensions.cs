using OrderSystem.Messaging.Bus;
using OrderSystem.Inventory.Persistence;

namespace OrderSystem.Inventory;

/// <summary>Everything the Inventory service registers, in one place (Program.cs stays a few lines).</summary>
public static class InventoryServiceExtensions
{
    /// <summary>Connection-string name of this service's database, as the AppHost declares it.</summary>
    public const string DatabaseName = "inventorydb";

    public static IHostApplicationBuilder AddInventoryServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<InventoryDbContext>(DatabaseName);
        builder.AddMessageBus(bus =>
        {
        });
        return builder;
    }
}
