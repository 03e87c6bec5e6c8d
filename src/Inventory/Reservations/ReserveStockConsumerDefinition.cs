using MassTransit;

namespace OrderSystem.Inventory.Reservations;

/// <summary>
/// Endpoint policy of <see cref="ReserveStockConsumer"/> (queue <c>reserve-stock</c>): a few quick retries cover a lost
/// race on the reservation key or a database blip; after the last one the message faults (<c>Fault&lt;ReserveStock&gt;</c>,
/// which the order saga turns into a rejection) and lands in <c>reserve-stock_error</c>.
/// </summary>
public class ReserveStockConsumerDefinition : ConsumerDefinition<ReserveStockConsumer>
{
    public ReserveStockConsumerDefinition()
    {
        ConcurrentMessageLimit = 8;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ReserveStockConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(50, 200, 500, 1000, 2000));
    }
}
