using MassTransit;

namespace OrderSystem.Notification.Notifications;

/// <summary>
/// Endpoint policy of <see cref="OrderCancelledConsumer"/> (queue <c>order-cancelled</c>): retries with growing
/// intervals ride out a slow or restarting SMTP server; after the last one the event lands in the queue's <c>_error</c>.
/// </summary>
public class OrderCancelledConsumerDefinition : ConsumerDefinition<OrderCancelledConsumer>
{
    public OrderCancelledConsumerDefinition()
    {
        ConcurrentMessageLimit = 4;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<OrderCancelledConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry => retry.Incremental(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)));
    }
}
