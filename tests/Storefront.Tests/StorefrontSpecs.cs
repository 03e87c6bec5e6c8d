using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrderSystem.Storefront.Tests;

/// <summary>The storefront page in headless chromium, against the running system: what a person clicking through sees.</summary>
[Collection(StorefrontCollection.Name)]
public sealed class StorefrontSpecs(StorefrontFixture system)
{
    private static string NewCustomer() => "shopper-" + Guid.NewGuid().ToString("N")[..8];

    private static ILocator OrderOf(IPage page) => page.Locator("#orders > li.order");

    [Fact]
    public async Task A_placed_order_becomes_Confirmed_and_its_stock_drops_on_the_page_without_a_reload_or_polling()
    {
        var page = await system.OpenStorefrontAsync(NewCustomer());
        await page.EvaluateAsync("() => window.sameDocument = true"); // gone if the page reloads
        var orderReads = 0;
        page.Request += (_, request) =>
        {
            if (request.Method == "GET" && Regex.IsMatch(request.Url, "/api/orders/[0-9a-f-]{36}$")) Interlocked.Increment(ref orderReads);
        };

        var mouse = page.Locator("#catalog tr[data-sku='MOUSE-01']"); // no other spec orders it
        var inStock = int.Parse(await mouse.Locator(".available").InnerTextAsync());
        await mouse.Locator("button.add").ClickAsync();
        await mouse.Locator("button.add").ClickAsync();
        await page.Locator("#place-order").ClickAsync();

        var order = OrderOf(page);
        await Expect(order).ToHaveCountAsync(1);
        await Expect(order.Locator(".state")).ToHaveTextAsync("Confirmed");
        await Expect(order.Locator(".history li")).ToHaveCountAsync(3);
        await Expect(order.Locator(".history")).ToContainTextAsync("Submitted");
        await Expect(order.Locator(".history")).ToContainTextAsync("StockReserved");
        await Expect(order.Locator(".order-total")).ToHaveTextAsync("59.80");
        await Expect(order.Locator(".cancel")).ToBeHiddenAsync();
        await Expect(mouse.Locator(".available")).ToHaveTextAsync((inStock - 2).ToString()); // the stock, re-read on the change

        (await page.EvaluateAsync<bool>("() => window.sameDocument === true")).ShouldBeTrue("the page reloaded");
        // The states arrived as events: the page read the order once when it learnt of it (twice at most, if its
        // subscription was renewed meanwhile), not once per state.
        orderReads.ShouldBeLessThanOrEqualTo(2);
    }

    [Fact]
    public async Task An_order_above_the_stock_shows_Rejected_with_the_reason()
    {
        var page = await system.OpenStorefrontAsync(NewCustomer());

        await page.Locator("#try-out-of-stock").ClickAsync();

        var order = OrderOf(page);
        await Expect(order.Locator(".state")).ToHaveTextAsync("Rejected");
        await Expect(order.Locator(".reason")).ToHaveTextAsync(new Regex("^Out of stock: "));
    }

    [Fact]
    public async Task A_declined_payment_shows_Cancelled_with_the_reason()
    {
        var page = await system.OpenStorefrontAsync(NewCustomer());

        await page.Locator("#try-declined").ClickAsync();

        var order = OrderOf(page);
        await Expect(order.Locator(".customer")).ToHaveTextAsync("customer-declined");
        await Expect(order.Locator(".state")).ToHaveTextAsync("Cancelled");
        await Expect(order.Locator(".reason")).ToHaveTextAsync("Payment declined: card declined");
    }

    [Fact]
    public async Task A_cancel_before_the_payment_shows_Cancelled_by_the_customer()
    {
        var page = await system.OpenStorefrontAsync(NewCustomer());

        await page.Locator("#try-cancel").ClickAsync();

        var order = OrderOf(page);
        await Expect(order.Locator(".state")).ToHaveTextAsync("Cancelled");
        await Expect(order.Locator(".reason")).ToHaveTextAsync("Cancelled by the customer");
    }

    [Fact]
    public async Task A_double_click_on_place_order_places_one_order()
    {
        var customer = NewCustomer();
        var page = await system.OpenStorefrontAsync(customer);
        var keys = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Method == "POST" && request.Url.EndsWith("/api/orders", StringComparison.Ordinal))
                lock (keys) keys.Add(request.Headers.GetValueOrDefault("idempotency-key") ?? "(none)");
        };

        await page.Locator("#catalog tr[data-sku='CABLE-USBC'] button.add").ClickAsync();
        await page.Locator("#place-order").DblClickAsync();

        var order = OrderOf(page);
        await Expect(order.Locator(".state")).ToHaveTextAsync("Confirmed");
        await Expect(order).ToHaveCountAsync(1);

        // Both clicks sent the order, with the same key; Ordering kept one.
        keys.Count.ShouldBe(2);
        keys.Distinct().ShouldHaveSingleItem();
        var orders = await system.OrdersOfAsync(customer);
        orders.ShouldHaveSingleItem().State.ShouldBe("Confirmed");
    }
}
