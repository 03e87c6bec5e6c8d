using System.Net.Http.Json;
using OrderSystem.Ordering.Api;
using OrderSystem.Payment.Payments;
using OrderSystem.Testing.Polling;

namespace OrderSystem.OrderFlow.Tests;

/// <summary>The order's main outcomes, through all four services, a real broker and real databases.</summary>
public class OrderFlowSpecs(OrderFlowFixture flow) : IClassFixture<OrderFlowFixture>
{
    [Fact]
    public async Task Should_confirm_an_order_reserving_stock_once_charging_once_and_notifying_once()
    {
        var sku = await flow.AddProductAsync(available: 10, price: 12.50m);

        var orderId = await flow.SubmitAsync("alice", (sku, 3));
        var order = await flow.WaitForStateAsync(orderId, "Confirmed");

        order.Total.ShouldBe(37.50m);
        order.History.Select(h => h.State).ShouldBe(["Submitted", "StockReserved", "Confirmed"]);
        var product = await Eventually.Get(() => flow.ProductAsync(sku), p => p.Sold == 3, "the reserved units sold");
        (product.Available, product.Reserved).ShouldBe((7, 0));
        var payment = (await flow.PaymentsAsync(orderId)).ShouldHaveSingleItem();
        payment.Status.ShouldBe(PaymentStatus.Captured);
        payment.Amount.ShouldBe(37.50m);
        var notifications = await flow.WaitForNotificationsAsync(orderId, "OrderReceived", "OrderConfirmed");
        notifications.Select(n => n.Kind).ShouldBe(["OrderReceived", "OrderConfirmed"], ignoreOrder: true); // one per outcome
    }

    [Fact]
    public async Task Should_list_the_seeded_catalog_with_prices_and_stock()
    {
        var products = (await flow.Inventory.GetFromJsonAsync<List<ProductView>>("/products"))!;

        products.ShouldContain(p => p.Sku == "KEYBOARD-01" && p.Name == "Mechanical keyboard" && p.Price == 89.90m);
        products.ShouldAllBe(p => p.Available >= 0);
    }

    private record ProductView(string Sku, string Name, decimal Price, int Available);

    [Fact]
    public async Task Should_reject_an_order_that_is_out_of_stock_without_charging()
    {
        var sku = await flow.AddProductAsync(available: 2);

        var orderId = await flow.SubmitAsync("bob", (sku, 3));
        var order = await flow.WaitForStateAsync(orderId, "Rejected");

        order.Reason.ShouldBe("Out of stock: " + sku);
        (await flow.ProductAsync(sku)).Available.ShouldBe(2);
        (await flow.PaymentsAsync(orderId)).ShouldBeEmpty();
        var notifications = await flow.WaitForNotificationsAsync(orderId, "OrderReceived", "OrderRejected");
        notifications.Select(n => n.Kind).ShouldBe(["OrderReceived", "OrderRejected"], ignoreOrder: true);
    }

    [Fact]
    public async Task Should_give_back_the_lines_already_taken_when_a_later_line_is_out_of_stock()
    {
        // Lines are taken in SKU order (ordinal): the short one second, after the first was taken.
        var plenty = await flow.AddProductAsync(available: 5, skuPrefix: "TEST-A-");
        var shortOne = await flow.AddProductAsync(available: 1, skuPrefix: "TEST-B-");

        var orderId = await flow.SubmitAsync("bob", (plenty, 2), (shortOne, 2));
        var order = await flow.WaitForStateAsync(orderId, "Rejected");

        order.Reason.ShouldBe("Out of stock: " + shortOne);
        var first = await flow.ProductAsync(plenty);
        (first.Available, first.Reserved).ShouldBe((5, 0)); // taken, then given back by the savepoint
        (await flow.ProductAsync(shortOne)).Available.ShouldBe(1);
        (await flow.PaymentsAsync(orderId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Should_reject_an_order_for_an_unknown_sku_and_reserve_nothing_of_its_other_lines()
    {
        var sku = await flow.AddProductAsync(available: 5);

        var orderId = await flow.SubmitAsync("bob", (sku, 1), ("NO-SUCH-SKU", 1));
        var order = await flow.WaitForStateAsync(orderId, "Rejected");

        order.Reason.ShouldBe("Unknown SKU: NO-SUCH-SKU");
        (await flow.ProductAsync(sku)).Available.ShouldBe(5);
        (await flow.PaymentsAsync(orderId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Should_cancel_a_declined_order_and_give_its_stock_back()
    {
        var sku = await flow.AddProductAsync(available: 4);

        var orderId = await flow.SubmitAsync("customer-declined", (sku, 2)); // the provider's rule: this customer is always declined
        var order = await flow.WaitForStateAsync(orderId, "Cancelled");

        order.Reason.ShouldBe("Payment declined: card declined");
        order.History.Select(h => h.State).ShouldBe(["Submitted", "StockReserved", "Cancelled"]);
        var product = await Eventually.Get(() => flow.ProductAsync(sku), p => p.Available == 4, "the stock to be released");
        product.Reserved.ShouldBe(0);
        (await flow.PaymentsAsync(orderId)).ShouldHaveSingleItem().Status.ShouldBe(PaymentStatus.Declined);
        var notifications = await flow.WaitForNotificationsAsync(orderId, "OrderReceived", "OrderCancelled");
        notifications.Select(n => n.Kind).ShouldBe(["OrderReceived", "OrderCancelled"], ignoreOrder: true);
    }

    [Fact]
    public async Task Should_create_one_order_for_one_idempotency_key()
    {
        var sku = await flow.AddProductAsync(available: 10);
        var key = "checkout-" + Guid.NewGuid();

        var ids = new List<Guid>();
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
            {
                Content = JsonContent.Create(new { customerId = "carol", lines = new[] { new { sku, quantity = 2 } } }),
            };
            request.Headers.Add("Idempotency-Key", key);
            var response = await flow.Ordering.SendAsync(request);
            response.EnsureSuccessStatusCode();
            ids.Add((await response.Content.ReadFromJsonAsync<OrderAccepted>())!.OrderId);
        }

        ids.Distinct().ShouldHaveSingleItem();
        await flow.WaitForStateAsync(ids[0], "Confirmed");
        var page = await flow.Ordering.GetFromJsonAsync<OrderPage>("/orders?pageSize=100");
        page!.Items.Count(o => o.CustomerId == "carol").ShouldBe(1);
        (await flow.ProductAsync(sku)).Available.ShouldBe(8);
        (await flow.PaymentsAsync(ids[0])).ShouldHaveSingleItem();
    }
}
