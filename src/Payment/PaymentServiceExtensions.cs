using OrderSystem.Messaging.Bus;
using OrderSystem.Payment.Persistence;

namespace OrderSystem.Payment;

/// <summary>Everything the Payment service registers, in one place (Program.cs stays a few lines).</summary>
public static class PaymentServiceExtensions
{
    /// <summary>Connection-string name of this service's database, as the AppHost declares it.</summary>
    public const string DatabaseName = "paymentdb";

    public static IHostApplicationBuilder AddPaymentServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<PaymentDbContext>(DatabaseName);
        builder.AddMessageBus(bus =>
        {
        });
        return builder;
    }
}
