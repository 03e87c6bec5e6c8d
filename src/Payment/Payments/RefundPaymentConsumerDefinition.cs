using MassTransit;
using OrderSystem.Messaging.FailureHandling;
using OrderSystem.Payment.Persistence;
using OrderSystem.Payment.Provider;

namespace OrderSystem.Payment.Payments;

/// <summary>
/// Endpoint policy of <see cref="RefundPaymentConsumer"/> (queue <c>refund-payment</c>): the system's failure policy
/// (docs/failure-handling.md), the provider's <see cref="TransientPaymentException"/> counted as transient; permanent
/// failures and what outlasts the redelivery schedule end in <c>refund-payment_error</c>.
/// </summary>
public class RefundPaymentConsumerDefinition : ConsumerDefinition<RefundPaymentConsumer>
{
    public RefundPaymentConsumerDefinition()
    {
        ConcurrentMessageLimit = 8;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<RefundPaymentConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseFailurePolicy<PaymentDbContext>(context, policy => policy.Transient<TransientPaymentException>());
    }
}
