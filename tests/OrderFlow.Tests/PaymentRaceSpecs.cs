using OrderSystem.Contracts.Ordering;
using OrderSystem.Contracts.Payment;
using OrderSystem.Payment.Payments;
using OrderSystem.Testing.Polling;

namespace OrderSystem.OrderFlow.Tests;

/// <summary>Payment answers after 3 s; the payment timeout (5 min) never fires on its own: the tests deliver it.</summary>
public class PaymentRaceFixture : OrderFlowFixture
{
    protected override IReadOnlyDictionary<string, string> OrderingSettings => new Dictionary<string, string> { ["Ordering:PaymentTimeout"] = "00:05:00" };

    protected override IReadOnlyDictionary<string, string> PaymentSettings => new Dictionary<string, string> { ["Payment:Provider:Latency"] = "00:00:03" };
}

/// <summary>
/// Ordering by key where it matters most: <see cref="PaymentCaptured"/> and <see cref="PaymentTimeoutExpired"/> for one
/// order reach the saga's queue from two producers (Payment, the durable scheduler), so nothing orders them. The saga
/// takes them one at a time (row lock) and the first one decides; the second finds a terminal state and is ignored. Both
/// orders of arrival end consistently: confirmed and charged, or cancelled, released and refunded — never a mix.
/// </summary>
public class PaymentRaceSpecs(PaymentRaceFixture flow) : IClassFixture<PaymentRaceFixture>
{
    [Fact]
    public async Task Should_confirm_and_keep_the_charge_when_the_capture_arrives_before_the_timeout()
    {
        var sku = await flow.AddProductAsync(available: 5, price: 4m);
        var orderId = await flow.SubmitAsync("race-capture", (sku, 2));
        await flow.WaitForStateAsync(orderId, "StockReserved");

        await flow.PublishAndWaitHandledBySagaAsync(new PaymentCaptured(orderId, Guid.NewGuid(), 8m));
        await flow.PublishAndWaitHandledBySagaAsync(new PaymentTimeoutExpired(orderId));

        var order = await flow.GetOrderAsync(orderId);
        order.State.ShouldBe("Confirmed");
        order.History.Select(h => h.State).ShouldBe(["Submitted", "StockReserved", "Confirmed"]);
        await Eventually.Get(() => flow.ProductAsync(sku), p => p.Sold == 2, "the units sold");
        // The real charge completes: captured and kept (its PaymentCaptured is one more duplicate for the saga).
        var payment = await Eventually.Get(async () => (await flow.PaymentsAsync(orderId)).SingleOrDefault(),
            p => p is { Status: PaymentStatus.Captured }, "the charge captured");
        payment!.Status.ShouldBe(PaymentStatus.Captured);
        (await flow.ProductAsync(sku)).ShouldSatisfyAllConditions(p => p.Available.ShouldBe(3), p => p.Reserved.ShouldBe(0));
        (await flow.WaitForNotificationsAsync(orderId, "OrderReceived", "OrderConfirmed"))
            .Select(n => n.Kind).ShouldBe(["OrderReceived", "OrderConfirmed"], ignoreOrder: true);
        (await flow.GetOrderAsync(orderId)).State.ShouldBe("Confirmed");
    }

    [Fact]
    public async Task Should_cancel_release_and_refund_when_the_timeout_arrives_before_the_capture()
    {
        var sku = await flow.AddProductAsync(available: 5, price: 4m);
        var orderId = await flow.SubmitAsync("race-timeout", (sku, 2));
        await flow.WaitForStateAsync(orderId, "StockReserved");

        await flow.PublishAndWaitHandledBySagaAsync(new PaymentTimeoutExpired(orderId));
        await flow.PublishAndWaitHandledBySagaAsync(new PaymentCaptured(orderId, Guid.NewGuid(), 8m));

        var order = await flow.GetOrderAsync(orderId);
        order.State.ShouldBe("Cancelled");
        order.Reason.ShouldBe("Payment timed out");
        await Eventually.Get(() => flow.ProductAsync(sku), p => p.Available == 5 && p.Reserved == 0, "the stock released");
        // The real charge completes after the cancel: refunded (or voided, had the refund come first). Never kept.
        var payment = await Eventually.Get(async () => (await flow.PaymentsAsync(orderId)).SingleOrDefault(),
            p => p is { Status: PaymentStatus.Refunded or PaymentStatus.Voided }, "the charge refunded or voided");
        payment!.Status.ShouldNotBe(PaymentStatus.Captured);
        (await flow.ProductAsync(sku)).Sold.ShouldBe(0);
        (await flow.WaitForNotificationsAsync(orderId, "OrderReceived", "OrderCancelled"))
            .Select(n => n.Kind).ShouldBe(["OrderReceived", "OrderCancelled"], ignoreOrder: true);
        (await flow.GetOrderAsync(orderId)).State.ShouldBe("Cancelled");
    }
}
