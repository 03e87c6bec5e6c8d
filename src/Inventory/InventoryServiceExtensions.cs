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
        builder.Services.AddProblemDetails();
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
        // Malformed JSON surfaces as BadHttpRequestException: answer its 400 as ProblemDetails, not a 500.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages(); // empty 4xx bodies become ProblemDetails
        app.MapProductsApi(); // shopper reads: open
        app.MapStockApi();    // operator writes: X-Api-Key
        return app;
    }
}
