using System.Net.Http.Json;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Inventory.Catalog;
using OrderSystem.Testing.Polling;

namespace OrderSystem.OrderFlow.Tests;

/// <summary>
/// Publish/subscribe: one <see cref="OrderConfirmed"/> reaches every subscribing service through its own queue —
/// Inventory sells the reserved units (<c>sell-reserved-stock</c>), Notification mails the customer (<c>order-confirmed</c>)
/// — and each effect happens once, also when the event comes again.
/// </summary>
public class FanOutSpecs(OrderFlowFixture flow) : IClassFixture<OrderFlowFixture>
{
    [Fact]
    public async Task Should_sell_the_reserved_units_and_notify_once_each_for_one_confirmed_order()
    {
        var sku = await flow.AddProductAsync(available: 10, price: 5m);
        var orderId = await flow.SubmitAsync("fan", (sku, 3));
        await flow.WaitForStateAsync(orderId, "Confirmed");

        var product = await Eventually.Get(() => flow.ProductAsync(sku), p => p.Sold == 3, "the reserved units sold");
        (product.Available, product.Reserved, product.Sold).ShouldBe((7, 0, 3));
        var notifications = await Eventually.Get(() => flow.NotificationsAsync(orderId), n => n.Count > 0, "the confirmation notification");
        notifications.ShouldHaveSingleItem().Kind.ShouldBe("OrderConfirmed");

        var catalog = (await flow.Inventory.GetFromJsonAsync<List<ProductsApi.ProductView>>("/products"))!;
        catalog.ShouldContain(new ProductsApi.ProductView(sku, "Test product " + sku, 5m, Available: 7, Reserved: 0, OnHand: 7, Sold: 3));

        // The same event again (a new message id, as a re-drive would send it): both subscribers handle it, neither acts twice.
        await flow.PublishAndWaitHandledByAsync(new OrderConfirmed(orderId, "fan", 15m, DateTimeOffset.UtcNow), subscribers: 2);

        (await flow.ProductAsync(sku)).ShouldSatisfyAllConditions(
            p => p.Available.ShouldBe(7), p => p.Reserved.ShouldBe(0), p => p.Sold.ShouldBe(3));
        (await flow.NotificationsAsync(orderId)).ShouldHaveSingleItem();
    }
}
