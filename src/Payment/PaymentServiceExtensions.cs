using MassTransit;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Messaging.Bus;
using OrderSystem.Payment.Payments;
using OrderSystem.Payment.Persistence;
using OrderSystem.Payment.Provider;

namespace OrderSystem.Payment;

/// <summary>Everything the Payment service registers, in one place (Program.cs stays a few lines).</summary>
public static class PaymentServiceExtensions
{
    /// <summary>Connection-string name of this service's database, as the AppHost declares it.</summary>
    public const string DatabaseName = "paymentdb";

    public static IHostApplicationBuilder AddPaymentServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<PaymentDbContext>(DatabaseName);
        builder.Services.AddOptions<PaymentProviderOptions>().BindConfiguration(PaymentProviderOptions.Section);
        builder.Services.AddSingleton<SimulatedPaymentProvider>();
        builder.AddBaggageAttributes(OrderBaggage.OrderId); // order.id on every span and log record (docs/observability.md)
        builder.AddMessageBus<PaymentDbContext>(bus =>
        {
            bus.AddConsumer<ChargePaymentConsumer, ChargePaymentConsumerDefinition>();
            bus.AddConsumer<RefundPaymentConsumer, RefundPaymentConsumerDefinition>();
        });
        return builder;
    }
}
