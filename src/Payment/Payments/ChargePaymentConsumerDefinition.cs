using MassTransit;
using OrderSystem.Messaging.FailureHandling;
using OrderSystem.Payment.Persistence;
using OrderSystem.Payment.Provider;

namespace OrderSystem.Payment.Payments;

/// <summary>
/// Endpoint policy of <see cref="ChargePaymentConsumer"/> (queue <c>charge-payment</c>): the system's failure policy
/// (docs/failure-handling.md), with the provider's <see cref="TransientPaymentException"/> counted as transient:
/// immediate retries with back-off, then delayed redelivery through the durable scheduler. Permanent failures (e.g.
/// argument errors) are not retried. After the last attempt the message faults (<c>Fault&lt;ChargePayment&gt;</c>,
/// which cancels the order) and lands in <c>charge-payment_error</c>.
/// </summary>
public class ChargePaymentConsumerDefinition : ConsumerDefinition<ChargePaymentConsumer>
{
    public ChargePaymentConsumerDefinition()
    {
        ConcurrentMessageLimit = 8;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ChargePaymentConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseFailurePolicy<PaymentDbContext>(context, policy => policy.Transient<TransientPaymentException>());
    }
}
