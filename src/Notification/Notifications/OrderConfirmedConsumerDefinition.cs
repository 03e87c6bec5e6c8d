using MassTransit;

namespace OrderSystem.Notification.Notifications;

/// <summary>
/// Endpoint policy of <see cref="OrderConfirmedConsumer"/> (queue <c>order-confirmed</c>): retries with growing
/// intervals ride out a slow or restarting SMTP server; after the last one the event lands in the queue's <c>_error</c>.
/// </summary>
public class OrderConfirmedConsumerDefinition : ConsumerDefinition<OrderConfirmedConsumer>
{
    public OrderConfirmedConsumerDefinition()
    {
        ConcurrentMessageLimit = 4;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<OrderConfirmedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry => retry.Incremental(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)));
    }
}
