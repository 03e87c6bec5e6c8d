using MassTransit;
using OrderSystem.Messaging.FailureHandling;
using OrderSystem.Notification.Persistence;

namespace OrderSystem.Notification.Notifications;

/// <summary>
/// Endpoint policy of <see cref="OrderSubmittedConsumer"/> (queue <c>order-submitted</c>): the system's failure policy
/// (docs/failure-handling.md), SMTP's "try later" counted as transient (<see cref="SmtpFailures"/>): immediate retries,
/// then delayed redelivery ride out a slow or restarting SMTP server; after the last one the event lands in the queue's
/// <c>_error</c>.
/// </summary>
public class OrderSubmittedConsumerDefinition : ConsumerDefinition<OrderSubmittedConsumer>
{
    public OrderSubmittedConsumerDefinition()
    {
        ConcurrentMessageLimit = 4;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<OrderSubmittedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseFailurePolicy<NotificationDbContext>(context, SmtpFailures.AreTransient);
    }
}
