using OrderSystem.Payment.Payments;
using OrderSystem.Testing.Polling;
using Xunit.Abstractions;

namespace OrderSystem.OrderFlow.Tests;

/// <summary>Two instances of Inventory and two of Payment, competing for the same queues.</summary>
public class CompetingConsumersFixture : OrderFlowFixture
{
    protected override int InventoryInstances => 2;
    protected override int PaymentInstances => 2;
}

/// <summary>Many orders at once on scarce stock, with competing consumers: no oversell, no double effect, every order ends.</summary>
public class ConcurrentOrdersSpecs(CompetingConsumersFixture flow, ITestOutputHelper output) : IClassFixture<CompetingConsumersFixture>
{
    private const int Orders = 200;
    private const int InitialStock = 100;

    [Fact]
    public async Task Should_never_oversell_and_end_every_order_when_200_orders_compete_for_scarce_stock()
    {
        var sku = await flow.AddProductAsync(available: InitialStock, price: 1m);
        var random = new Random(42);
        var quantities = Enumerable.Range(0, Orders).Select(_ => random.Next(1, 4)).ToList(); // ~400 units asked for 100

        // 200 orders in flight together; the HTTP submissions themselves go 20 at a time (the API's connection pool is small).
        using var gate = new SemaphoreSlim(20);
        var orderIds = await Task.WhenAll(quantities.Select(async (q, i) =>
        {
            await gate.WaitAsync();
            try { return await flow.SubmitAsync($"buyer-{i}", (sku, q)); }
            finally { gate.Release(); }
        }));

        var orders = await Eventually.Get(
            async () => await Task.WhenAll(orderIds.Select(flow.GetOrderAsync)),
            all => all.All(o => OrderFlowFixture.TerminalStates.Contains(o.State)),
            "every order to end",
            TimeSpan.FromMinutes(3));

        var confirmed = orders.Where(o => o.State == "Confirmed").ToList();
        orders.Where(o => o.State != "Confirmed").ShouldAllBe(o => o.State == "Rejected" && o.Reason == "Out of stock: " + sku);
        confirmed.ShouldNotBeEmpty();

        var sold = confirmed.Sum(o => o.Lines.Sum(l => l.Quantity));
        var product = await Eventually.Get(() => flow.ProductAsync(sku), p => p.Sold == sold, "the confirmed orders' units sold");
        output.WriteLine($"{Orders} orders asking for {quantities.Sum()} units of {InitialStock}: {confirmed.Count} confirmed, " +
                         $"{orders.Length - confirmed.Count} rejected; available {product.Available}, reserved {product.Reserved}, sold {product.Sold}");
        product.Available.ShouldBeGreaterThanOrEqualTo(0);
        (product.Available + product.Reserved + product.Sold).ShouldBe(InitialStock);
        product.Reserved.ShouldBe(0);

        var payments = (await flow.AllPaymentsAsync()).Where(p => orderIds.Contains(p.OrderId)).ToList();
        payments.Count.ShouldBe(confirmed.Count); // one charge per confirmed order, none for rejected ones
        payments.ShouldAllBe(p => p.Status == PaymentStatus.Captured);
        payments.Select(p => p.OrderId).ShouldBe(confirmed.Select(o => o.OrderId), ignoreOrder: true);
    }
}
