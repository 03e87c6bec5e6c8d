using MassTransit;

namespace OrderSystem.Notification.Notifications;

/// <summary>
/// Endpoint policy of <see cref="OrderRejectedConsumer"/> (queue <c>order-rejected</c>): retries with growing
/// intervals ride out a slow or restarting SMTP server; after the last one the event lands in the queue's <c>_error</c>.
/// </summary>
public class OrderRejectedConsumerDefinition : ConsumerDefinition<OrderRejectedConsumer>
{
    public OrderRejectedConsumerDefinition()
    {
        ConcurrentMessageLimit = 4;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<OrderRejectedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry => retry.Incremental(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)));
    }
}
