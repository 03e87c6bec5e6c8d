using MassTransit;

namespace OrderSystem.Payment.Payments;

/// <summary>Endpoint policy of <see cref="RefundPaymentConsumer"/> (queue <c>refund-payment</c>): retry, then <c>refund-payment_error</c>.</summary>
public class RefundPaymentConsumerDefinition : ConsumerDefinition<RefundPaymentConsumer>
{
    public RefundPaymentConsumerDefinition()
    {
        ConcurrentMessageLimit = 8;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<RefundPaymentConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry => retry.Incremental(8, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500)));
    }
}
