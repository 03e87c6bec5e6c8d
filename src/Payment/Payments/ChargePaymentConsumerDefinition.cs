using MassTransit;
using OrderSystem.Payment.Provider;

namespace OrderSystem.Payment.Payments;

/// <summary>
/// Endpoint policy of <see cref="ChargePaymentConsumer"/> (queue <c>charge-payment</c>): retry transient provider and
/// database failures with growing intervals; after the last attempt the message faults (<c>Fault&lt;ChargePayment&gt;</c>,
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
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Incremental(6, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300));
            retry.Ignore<ArgumentException>();
        });
    }
}
