using OrderSystem.Payment.Payments;
using OrderSystem.Testing.Polling;

namespace OrderSystem.OrderFlow.Tests;

/// <summary>Payment answers after 4 s; the order's payment timeout is 1 s.</summary>
public class SlowPaymentFixture : OrderFlowFixture
{
    protected override IReadOnlyDictionary<string, string> OrderingSettings => new Dictionary<string, string> { ["Ordering:PaymentTimeout"] = "00:00:01" };

    protected override IReadOnlyDictionary<string, string> PaymentSettings => new Dictionary<string, string> { ["Payment:Provider:Latency"] = "00:00:04" };
}

/// <summary>
/// The payment timeout, scheduled by the saga through the durable database scheduler, cancels the order; the stock comes
/// back and the charge that completes afterwards is refunded.
/// </summary>
public class PaymentTimeoutSpecs(SlowPaymentFixture flow) : IClassFixture<SlowPaymentFixture>
{
    [Fact]
    public async Task Should_cancel_release_the_stock_and_refund_when_the_payment_times_out()
    {
        var sku = await flow.AddProductAsync(available: 6, price: 5m);

        var orderId = await flow.SubmitAsync("dave", (sku, 2));
        var order = await flow.WaitForStateAsync(orderId, "Cancelled");

        order.Reason.ShouldBe("Payment timed out");
        await Eventually.Get(() => flow.ProductAsync(sku), p => p.Available == 6 && p.Reserved == 0, "the stock to be released");
        // The slow charge finishes after the cancel: it is refunded (or, had the refund come first, voided). Never kept.
        var payment = await Eventually.Get(
            async () => (await flow.PaymentsAsync(orderId)).SingleOrDefault(),
            p => p is { Status: PaymentStatus.Refunded or PaymentStatus.Voided },
            "the payment to be refunded or voided");
        payment!.Amount.ShouldBe(10m); // the charge taken was the order's, 2 × 5, and that is what went back
        (await flow.GetOrderAsync(orderId)).State.ShouldBe("Cancelled");
    }
}
