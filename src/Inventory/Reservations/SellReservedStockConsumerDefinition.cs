using MassTransit;
using OrderSystem.Inventory.Persistence;
using OrderSystem.Messaging.FailureHandling;

namespace OrderSystem.Inventory.Reservations;

/// <summary>
/// Endpoint policy of <see cref="SellReservedStockConsumer"/> (queue <c>sell-reserved-stock</c>, bound to
/// <c>OrderConfirmed</c> beside Notification's <c>order-confirmed</c>): the system's failure policy (docs/failure-handling.md).
/// </summary>
public class SellReservedStockConsumerDefinition : ConsumerDefinition<SellReservedStockConsumer>
{
    public SellReservedStockConsumerDefinition()
    {
        ConcurrentMessageLimit = 8;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<SellReservedStockConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseFailurePolicy<InventoryDbContext>(context);
    }
}
