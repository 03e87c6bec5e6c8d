using System.Net.Http.Json;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Inventory.Catalog;
using OrderSystem.Testing.Polling;

namespace OrderSystem.OrderFlow.Tests;

/// <summary>
/// Publish/subscribe: one event reaches every subscribing service through its own queue, and each subscriber's effect
/// happens once, also when the event comes again. <see cref="OrderSubmitted"/>: the order saga starts the order
/// (<c>order-state</c>), Notification tells the customer it was received (<c>order-submitted</c>).
/// <see cref="OrderConfirmed"/>: Inventory sells the reserved units (<c>sell-reserved-stock</c>), Notification mails
/// the customer (<c>order-confirmed</c>).
/// </summary>
public class FanOutSpecs(OrderFlowFixture flow) : IClassFixture<OrderFlowFixture>
{
    [Fact]
    public async Task Should_start_the_order_and_notify_its_receipt_once_each_for_one_submitted_order()
    {
        var sku = await flow.AddProductAsync(available: 10, price: 5m);
        var orderId = await flow.SubmitAsync("fan-in", (sku, 2));
        var order = await flow.WaitForStateAsync(orderId, "Confirmed");
        await Eventually.Get(() => flow.ProductAsync(sku), p => p.Sold == 2, "the reserved units sold");
        var received = (await flow.WaitForNotificationsAsync(orderId, "OrderReceived", "OrderConfirmed")).Single(n => n.Kind == "OrderReceived");
        received.Subject.ShouldBe($"Order {orderId} received");

        // The same event again, twice at once (new message ids, past the inbox): both subscribers handle both copies,
        // and neither acts again: the saga ignores a submission of an order it already has, Notification finds its row.
        var again = new OrderSubmitted(orderId, "fan-in", [new OrderLine(sku, 2)], DateTimeOffset.UtcNow);
        await Task.WhenAll(flow.PublishAndWaitHandledByAsync(again, subscribers: 2), flow.PublishAndWaitHandledByAsync(again, subscribers: 2));

        var after = await flow.GetOrderAsync(orderId);
        after.State.ShouldBe("Confirmed");
        after.History.ShouldBe(order.History);
        (await flow.ProductAsync(sku)).ShouldSatisfyAllConditions(
            p => p.Available.ShouldBe(8), p => p.Reserved.ShouldBe(0), p => p.Sold.ShouldBe(2));
        (await flow.PaymentsAsync(orderId)).ShouldHaveSingleItem();
        var notifications = await flow.NotificationsAsync(orderId);
        notifications.Select(n => n.Kind).ShouldBe(["OrderReceived", "OrderConfirmed"], ignoreOrder: true);
        notifications.Single(n => n.Kind == "OrderReceived").SentAt.ShouldBe(received.SentAt);
    }

    [Fact]
    public async Task Should_sell_the_reserved_units_and_notify_once_each_for_one_confirmed_order()
    {
        var sku = await flow.AddProductAsync(available: 10, price: 5m);
        var orderId = await flow.SubmitAsync("fan", (sku, 3));
        await flow.WaitForStateAsync(orderId, "Confirmed");

        var product = await Eventually.Get(() => flow.ProductAsync(sku), p => p.Sold == 3, "the reserved units sold");
        (product.Available, product.Reserved, product.Sold).ShouldBe((7, 0, 3));
        await flow.WaitForNotificationsAsync(orderId, "OrderReceived", "OrderConfirmed");

        var catalog = (await flow.Inventory.GetFromJsonAsync<List<ProductsApi.ProductView>>("/products"))!;
        catalog.ShouldContain(new ProductsApi.ProductView(sku, "Test product " + sku, 5m, Available: 7, Reserved: 0, OnHand: 7, Sold: 3));

        // The same event again (a new message id, as a re-drive would send it): both subscribers handle it, neither acts twice.
        await flow.PublishAndWaitHandledByAsync(new OrderConfirmed(orderId, "fan", 15m, DateTimeOffset.UtcNow), subscribers: 2);

        (await flow.ProductAsync(sku)).ShouldSatisfyAllConditions(
            p => p.Available.ShouldBe(7), p => p.Reserved.ShouldBe(0), p => p.Sold.ShouldBe(3));
        (await flow.NotificationsAsync(orderId)).Select(n => n.Kind).ShouldBe(["OrderReceived", "OrderConfirmed"], ignoreOrder: true);
    }
}
