using MassTransit;

namespace OrderSystem.Inventory.Reservations;

/// <summary>Endpoint policy of <see cref="ReleaseStockConsumer"/> (queue <c>release-stock</c>): retry, then <c>release-stock_error</c>.</summary>
public class ReleaseStockConsumerDefinition : ConsumerDefinition<ReleaseStockConsumer>
{
    public ReleaseStockConsumerDefinition()
    {
        ConcurrentMessageLimit = 8;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ReleaseStockConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(50, 200, 500, 1000, 2000));
    }
}
