using MassTransit;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Inventory.Catalog;
using OrderSystem.Inventory.OperatorAccess;
using OrderSystem.Inventory.Persistence;
using OrderSystem.Inventory.Reservations;
using OrderSystem.Inventory.Stock;
using OrderSystem.Messaging.Bus;

namespace OrderSystem.Inventory;

/// <summary>Everything the Inventory service registers, in one place (Program.cs stays a few lines).</summary>
public static class InventoryServiceExtensions
{
    /// <summary>Connection-string name of this service's database, as the AppHost declares it.</summary>
    public const string DatabaseName = "inventorydb";

    public static IHostApplicationBuilder AddInventoryServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<InventoryDbContext>(DatabaseName);
        builder.AddRequestProblemDetails(); // unreadable requests get a ProblemDetails naming the field (ServiceDefaults)
        builder.AddOperatorAccess(); // X-Api-Key on the operator endpoints (Inventory:OperatorApiKey)
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<OperatorApiKeyOpenApi>().AddOperationTransformer<OperatorApiKeyOpenApi>());
        builder.AddBaggageAttributes(OrderBaggage.OrderId); // order.id on every span and log record (docs/observability.md)
        builder.AddMessageBus<InventoryDbContext>(bus =>
        {
            bus.AddConsumer<ReserveStockConsumer, ReserveStockConsumerDefinition>();
            bus.AddConsumer<ReleaseStockConsumer, ReleaseStockConsumerDefinition>();
            bus.AddConsumer<SellReservedStockConsumer, SellReservedStockConsumerDefinition>();
        });
        return builder;
    }

    public static WebApplication MapInventoryApi(this WebApplication app)
    {
        app.UseRequestProblemDetails();
        app.MapProductsApi(); // shopper reads: open
        app.MapStockApi();    // operator writes: X-Api-Key
        return app;
    }
}
