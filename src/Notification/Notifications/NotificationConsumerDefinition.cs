using MassTransit;
using OrderSystem.Messaging.FailureHandling;
using OrderSystem.Notification.Persistence;

namespace OrderSystem.Notification.Notifications;

/// <summary>
/// Endpoint policy of every notification consumer (one queue each: <c>order-submitted</c>, <c>order-confirmed</c>,
/// <c>order-cancelled</c>, <c>order-rejected</c>): the system's failure policy (docs/failure-handling.md), SMTP's "try
/// later" counted as transient (<see cref="SmtpFailures"/>): immediate retries, then delayed redelivery ride out a slow
/// or restarting SMTP server; after the last one the event lands in the queue's <c>_error</c>. They all send mail the
/// same way, so they share it.
/// </summary>
public class NotificationConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    public NotificationConsumerDefinition()
    {
        ConcurrentMessageLimit = 4;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseFailurePolicy<NotificationDbContext>(context, SmtpFailures.AreTransient);
    }
}
