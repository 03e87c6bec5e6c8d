using System.Net;
using OrderSystem.Payment.Payments;
using OrderSystem.Testing.Polling;

namespace OrderSystem.OrderFlow.Tests;

/// <summary>Payment answers after 4 s, leaving time to cancel once the stock is reserved (the timeout is far away).</summary>
public class CancelWindowFixture : OrderFlowFixture
{
    protected override IReadOnlyDictionary<string, string> PaymentSettings => new Dictionary<string, string> { ["Payment:Provider:Latency"] = "00:00:04" };
}

/// <summary>A customer's cancel before the payment is captured compensates everything done so far.</summary>
public class CustomerCancelSpecs(CancelWindowFixture flow) : IClassFixture<CancelWindowFixture>
{
    [Fact]
    public async Task Should_cancel_before_the_payment_and_give_everything_back()
    {
        var sku = await flow.AddProductAsync(available: 5);
        var orderId = await flow.SubmitAsync("erin", (sku, 5));
        await flow.WaitForStateAsync(orderId, "StockReserved");
        (await flow.ProductAsync(sku)).Available.ShouldBe(0);

        var cancel = await flow.Ordering.PostAsync($"/orders/{orderId}/cancel", null);

        cancel.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var order = await flow.WaitForStateAsync(orderId, "Cancelled");
        order.Reason.ShouldBe("Cancelled by the customer");
        await Eventually.Get(() => flow.ProductAsync(sku), p => p.Available == 5 && p.Reserved == 0, "the stock to be released");
        await Eventually.Get(
            async () => (await flow.PaymentsAsync(orderId)).SingleOrDefault(),
            p => p is { Status: PaymentStatus.Refunded or PaymentStatus.Voided },
            "the charge under way to be refunded or voided");
        var notifications = await flow.WaitForNotificationsAsync(orderId, "OrderReceived", "OrderCancelled");
        notifications.Select(n => n.Kind).ShouldBe(["OrderReceived", "OrderCancelled"], ignoreOrder: true);
    }

    [Fact]
    public async Task Should_refuse_to_cancel_a_confirmed_order()
    {
        var sku = await flow.AddProductAsync(available: 5);
        var orderId = await flow.SubmitAsync("frank", (sku, 1));
        await flow.WaitForStateAsync(orderId, "Confirmed");

        var cancel = await flow.Ordering.PostAsync($"/orders/{orderId}/cancel", null);

        cancel.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await flow.GetOrderAsync(orderId)).State.ShouldBe("Confirmed");
    }
}
