using OrderSystem.Payment.Payments;
using OrderSystem.Testing.Polling;

namespace OrderSystem.OrderFlow.Tests;

/// <summary>
/// The simulated provider fails every call (transient failure rate 1): the charge exhausts its immediate retries and
/// its delayed redeliveries (shortened here from the production 5 s, 30 s, 2 min; docs/failure-handling.md).
/// </summary>
public class FailingPaymentFixture : OrderFlowFixture
{
    protected override IReadOnlyDictionary<string, string> PaymentSettings => new Dictionary<string, string>
    {
        ["Payment:Provider:TransientFailureRate"] = "1",
        ["Messaging:FailureHandling:RedeliveryIntervals:0"] = "00:00:00.200",
        ["Messaging:FailureHandling:RedeliveryIntervals:1"] = "00:00:00.500",
    };
}

/// <summary>A charge that faults (retries exhausted, <c>Fault&lt;ChargePayment&gt;</c>) cancels the order and gives the stock back.</summary>
public class PaymentFaultSpecs(FailingPaymentFixture flow) : IClassFixture<FailingPaymentFixture>
{
    [Fact]
    public async Task Should_cancel_and_release_when_the_charge_faults_after_its_retries()
    {
        var sku = await flow.AddProductAsync(available: 3);

        var orderId = await flow.SubmitAsync("ivan", (sku, 2));
        var order = await flow.WaitForStateAsync(orderId, "Cancelled");

        order.Reason.ShouldBe("Payment failed: The payment provider is temporarily unavailable.");
        await Eventually.Get(() => flow.ProductAsync(sku), p => p.Available == 3 && p.Reserved == 0, "the stock to be released");
        // The failed charge left nothing behind; the refund sent with the cancel voided the order.
        (await Eventually.Get(async () => await flow.PaymentsAsync(orderId), p => p.Count == 1, "the order to be voided"))
            .Single().Status.ShouldBe(PaymentStatus.Voided);
    }
}
