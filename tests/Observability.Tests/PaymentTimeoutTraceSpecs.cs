using System.Diagnostics;
using OrderSystem.Observability.Tests.Support;
using OrderSystem.Testing.Polling;
using Xunit.Abstractions;

namespace OrderSystem.Observability.Tests;

/// <summary>Payment answers after 4 s; the order's payment timeout is 1 s.</summary>
public class SlowPaymentSystemFixture : ObservedSystemFixture
{
    protected override IReadOnlyDictionary<string, string> OrderingSettings => new Dictionary<string, string> { ["Ordering:PaymentTimeout"] = "00:00:01" };

    protected override IReadOnlyDictionary<string, string> PaymentSettings => new Dictionary<string, string> { ["Payment:Provider:Latency"] = "00:00:04" };
}

/// <summary>
/// An order cancelled by its payment timeout: the timeout, held in the database by the durable scheduler and delivered
/// later by the delivery service, is still part of the order's one trace, and the cancellation is counted.
/// </summary>
public class PaymentTimeoutTraceSpecs(SlowPaymentSystemFixture system, ITestOutputHelper output) : IClassFixture<SlowPaymentSystemFixture>
{
    [Fact]
    public async Task Should_keep_the_scheduled_timeout_in_the_order_trace()
    {
        using var meter = new OrderMeterRecorder(system.OrderingServices);
        var sku = await system.AddProductAsync(available: 3, price: 4m);

        var (orderId, traceId) = await system.SubmitAsync("heidi", (sku, 1));
        await system.WaitForStateAsync(orderId, "Cancelled");
        // The last hops: the refund of the slow charge (Payment) and the cancellation notice (Notification).
        var spans = await Eventually.Get(
            () => Task.FromResult(system.Spans.Trace(traceId)),
            t => t.Any(s => s.Service == "notification" && s.Tag("messaging.destination.name") == "order-cancelled" && s.Tag("messaging.operation") == "receive")
                 && t.Any(s => s.Service == "payment" && s.Tag("messaging.destination.name") == "refund-payment" && s.Tag("messaging.operation") == "receive")
                 && TraceAssertions.Orphans(t).Count == 0, // spans still open (the slow charge) have exported children
            "the cancellation's notice and refund in the order's trace, every span ended");

        output.WriteLine(SpanTree.Render(spans));

        TraceAssertions.ShouldBeOneTree(spans);
        spans.Select(s => s.Service).Distinct().OrderBy(s => s).ShouldBe(["inventory", "notification", "ordering", "payment"]);
        // The scheduled message: delivered from its row by the delivery service, under the span that scheduled it.
        var scheduled = spans.Where(s => s.Source == "OrderSystem.Messaging" && s.Tag("ordersystem.outbox") == "scheduled").ToList();
        scheduled.ShouldNotBeEmpty("no delivery span of the scheduled timeout:\n" + SpanTree.Render(spans));
        var timeoutSend = spans.Single(s => s.Tag("messaging.masstransit.message_types")?.Contains("PaymentTimeoutExpired") == true
                                            && s.Tag("messaging.system") == "rabbitmq");
        scheduled.ShouldContain(s => s.SpanId == timeoutSend.ParentSpanId);
        spans.ShouldContain(s => s.ParentSpanId == timeoutSend.SpanId && s.Service == "ordering" && s.Kind == ActivityKind.Consumer,
            "the saga's receive of the timeout is not under its send");
        spans.ShouldContain(s => s.Tag("order.state") == "Cancelled");

        TraceAssertions.ShouldCarryMessagingAttributes(spans);
        TraceAssertions.ShouldCarryOrderId(spans, orderId);

        await Eventually.True(() => Task.FromResult(meter.Count("orders.cancelled") == 1), "orders.cancelled to be recorded");
        meter.Recorded("orders.duration").ShouldHaveSingleItem().Value.ShouldBeGreaterThanOrEqualTo(1); // at least the timeout
    }
}
