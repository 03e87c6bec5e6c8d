using System.Net;
using System.Net.Http.Json;
using OrderSystem.Contracts.Inventory;
using OrderSystem.Inventory.Reservations;
using OrderSystem.Inventory.Stock;
using OrderSystem.Inventory.Tests.Support;
using OrderSystem.Testing.Polling;

namespace OrderSystem.Inventory.Tests.Stock;

/// <summary>
/// Restocks over HTTP while a burst of reservations goes through the real <c>ReserveStockConsumer</c> (8 at a time) on
/// the same product: every unit is accounted for, none lost, none invented.
/// </summary>
public sealed class RestockDuringReservations_Specs(InventoryApiFixture fixture) : IClassFixture<InventoryApiFixture>
{
    private InventoryHost Inventory => fixture.Inventory;

    [Fact]
    public async Task Should_account_for_every_unit_when_restocks_and_reservations_race()
    {
        const int initial = 20, orders = 200, restocks = 20, perRestock = 5; // demand (200) exceeds supply (120): some orders are refused
        var events = await Inventory.RecordAsync<InventoryRestocked>();
        var sku = await Inventory.AddProductAsync(available: initial);
        var orderIds = Enumerable.Range(0, orders).Select(_ => Guid.NewGuid()).ToList();

        var reserving = Task.WhenAll(orderIds.Select(id => Inventory.ReserveAsync(id, sku, 1)));
        var restocking = Task.WhenAll(Enumerable.Range(0, restocks).Select(_ =>
            Inventory.SendAsync(HttpMethod.Post, $"/products/{sku}/restock", new RestockRequest(perRestock))));
        await reserving;
        var responses = await restocking;

        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);
        var reservations = await Eventually.Get(() => Inventory.ReservationsAsync(orderIds), r => r.Count == orders,
            "every order answered", TimeSpan.FromSeconds(90));
        var reserved = reservations.Where(r => r.Status == ReservationStatus.Reserved).Sum(r => r.Lines.Sum(l => l.Quantity));
        var product = (await Inventory.ProductAsync(sku))!;

        product.Reserved.ShouldBe(reserved, "every reserved unit belongs to an order");
        (product.Available + product.Reserved).ShouldBe(initial + restocks * perRestock, "units on hand = initial + restocked, exactly");
        reservations.Count(r => r.Status == ReservationStatus.Rejected).ShouldBe(orders - reserved, "an order is refused only for lack of stock");
        reservations.Where(r => r.Status == ReservationStatus.Rejected).ShouldAllBe(r => r.Reason == "Out of stock: " + sku);

        // Each restock saw its own +5 on top of whatever the reservations had left: figures a lost update would repeat.
        var afterEach = new List<ProductStock>();
        foreach (var response in responses) afterEach.Add((await response.Content.ReadFromJsonAsync<ProductStock>())!);
        afterEach.Select(s => s.OnHand).Distinct().Count().ShouldBe(restocks, "each restock raised the units on hand to a new level");
        await Eventually.True(() => Task.FromResult(events.Count(e => e.Sku == sku) == restocks), "one InventoryRestocked per restock");
    }
}
