using MassTransit;
using OrderSystem.Inventory.Persistence;
using OrderSystem.Messaging.FailureHandling;

namespace OrderSystem.Inventory.Reservations;

/// <summary>
/// Endpoint policy of <see cref="ReleaseStockConsumer"/> (queue <c>release-stock</c>): the system's failure policy
/// (docs/failure-handling.md): transient failures retried, then redelivered later; permanent ones to <c>release-stock_error</c>.
/// </summary>
public class ReleaseStockConsumerDefinition : ConsumerDefinition<ReleaseStockConsumer>
{
    public ReleaseStockConsumerDefinition()
    {
        ConcurrentMessageLimit = 8;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ReleaseStockConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseFailurePolicy<InventoryDbContext>(context);
    }
}
