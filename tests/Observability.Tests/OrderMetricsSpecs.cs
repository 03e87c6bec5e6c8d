using OrderSystem.Observability.Tests.Support;
using OrderSystem.Ordering.Telemetry;
using OrderSystem.Testing.Polling;

namespace OrderSystem.Observability.Tests;

/// <summary>The order metrics of the Ordering host move as orders are submitted and end, once per order.</summary>
public class OrderMetricsSpecs(ObservedSystemFixture system) : IClassFixture<ObservedSystemFixture>
{
    [Fact]
    public async Task Should_count_submitted_confirmed_and_rejected_orders_and_time_them()
    {
        using var meter = new OrderMeterRecorder(system.OrderingServices);
        var sku = await system.AddProductAsync(available: 1, price: 3m);

        var (confirmed, _) = await system.SubmitAsync("frank", (sku, 1));
        await system.WaitForStateAsync(confirmed, "Confirmed");
        var (rejected, _) = await system.SubmitAsync("grace", (sku, 1)); // the only unit is taken: out of stock
        await system.WaitForStateAsync(rejected, "Rejected");

        // Recorded right after the saga's commit, which the API may show a moment earlier.
        await Eventually.True(() => Task.FromResult(meter.Count("orders.confirmed") >= 1 && meter.Count("orders.rejected") >= 1),
            "orders.confirmed and orders.rejected to be recorded");
        meter.Count("orders.submitted").ShouldBe(2);
        meter.Count("orders.confirmed").ShouldBe(1);
        meter.Count("orders.rejected").ShouldBe(1);
        meter.Count("orders.cancelled").ShouldBe(0);

        var durations = meter.Recorded("orders.duration");
        durations.Select(d => d.Tags[OrderMetrics.OutcomeTag]).OrderBy(o => o).ShouldBe(["confirmed", "rejected"]);
        durations.ShouldAllBe(d => d.Value >= 0);
    }
}
