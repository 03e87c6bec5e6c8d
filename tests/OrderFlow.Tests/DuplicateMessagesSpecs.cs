using OrderSystem.Contracts.Inventory;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Contracts.Payment;
using OrderSystem.Payment.Payments;
using OrderSystem.Testing.Polling;

namespace OrderSystem.OrderFlow.Tests;

/// <summary>
/// Copies of a command or event with new message ids (so the inbox does not recognise them: what a re-driven error
/// message, a redelivery after the inbox window or a second publisher produces) still have one effect, because each
/// business operation is idempotent on its own key.
/// </summary>
public class DuplicateMessagesSpecs(OrderFlowFixture flow) : IClassFixture<OrderFlowFixture>
{
    [Fact]
    public async Task Should_reserve_charge_and_notify_once_when_the_commands_of_a_confirmed_order_arrive_again()
    {
        var sku = await flow.AddProductAsync(available: 10, price: 3m);
        var orderId = await flow.SubmitAsync("grace", (sku, 4));
        await flow.WaitForStateAsync(orderId, "Confirmed");
        await flow.WaitForNotificationsAsync(orderId, "OrderReceived", "OrderConfirmed");
        await Eventually.Get(() => flow.ProductAsync(sku), p => p.Sold == 4, "the reserved units sold");

        // Two copies of each at once: they race each other as well as the original's effects.
        await Task.WhenAll(
            flow.PublishAndWaitHandledAsync(new ReserveStock(orderId, [new OrderLine(sku, 4)])),
            flow.PublishAndWaitHandledAsync(new ReserveStock(orderId, [new OrderLine(sku, 4)])),
            flow.PublishAndWaitHandledAsync(new ChargePayment(orderId, "grace", 12m)),
            flow.PublishAndWaitHandledAsync(new ChargePayment(orderId, "grace", 12m)),
            flow.PublishAndWaitHandledByAsync(new OrderConfirmed(orderId, "grace", 12m, DateTimeOffset.UtcNow), subscribers: 2),
            flow.PublishAndWaitHandledByAsync(new OrderConfirmed(orderId, "grace", 12m, DateTimeOffset.UtcNow), subscribers: 2),
            flow.PublishAndWaitHandledByAsync(new OrderSubmitted(orderId, "grace", [new OrderLine(sku, 4)], DateTimeOffset.UtcNow), subscribers: 2));

        var product = await flow.ProductAsync(sku);
        product.Available.ShouldBe(6);
        product.Reserved.ShouldBe(0);
        product.Sold.ShouldBe(4);
        var payment = (await flow.PaymentsAsync(orderId)).ShouldHaveSingleItem();
        payment.Status.ShouldBe(PaymentStatus.Captured);
        (await flow.NotificationsAsync(orderId)).Select(n => n.Kind).ShouldBe(["OrderReceived", "OrderConfirmed"], ignoreOrder: true);
        (await flow.GetOrderAsync(orderId)).State.ShouldBe("Confirmed");
    }

    [Fact]
    public async Task Should_give_stock_back_once_when_the_release_of_a_cancelled_order_arrives_again()
    {
        var sku = await flow.AddProductAsync(available: 5);
        var orderId = await flow.SubmitAsync("customer-declined", (sku, 5));
        await flow.WaitForStateAsync(orderId, "Cancelled");
        await Eventually.Get(() => flow.ProductAsync(sku), p => p.Available == 5, "the stock to be released");

        await Task.WhenAll(
            flow.PublishAndWaitHandledAsync(new ReleaseStock(orderId)),
            flow.PublishAndWaitHandledAsync(new ReleaseStock(orderId)),
            flow.PublishAndWaitHandledAsync(new RefundPayment(orderId)),
            flow.PublishAndWaitHandledAsync(new RefundPayment(orderId)));

        var product = await flow.ProductAsync(sku);
        product.Available.ShouldBe(5);
        product.Reserved.ShouldBe(0);
        (await flow.PaymentsAsync(orderId)).ShouldHaveSingleItem().Status.ShouldBe(PaymentStatus.Declined);
    }
}
