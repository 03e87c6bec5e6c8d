using System.Diagnostics;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Observability.Tests.Support;
using OrderSystem.Testing.Polling;
using Xunit.Abstractions;

namespace OrderSystem.Observability.Tests;

/// <summary>
/// An order placed over HTTP: its request, the bus outbox, the saga, Inventory, Payment and Notification, with their
/// database calls, form one trace, one tree rooted at the <c>POST /orders</c> span, and the order id is on the spans.
/// </summary>
public class OneOrderOneTraceSpecs(ObservedSystemFixture system, ITestOutputHelper output) : IClassFixture<ObservedSystemFixture>
{
    [Fact]
    public async Task Should_put_a_confirmed_order_in_one_trace_across_the_four_services()
    {
        var sku = await system.AddProductAsync(available: 5, price: 7m);

        var (orderId, traceId) = await system.SubmitAsync("erin", (sku, 1));
        await system.WaitForStateAsync(orderId, "Confirmed");
        // Notification's confirmation is the last hop: its consume span (and its database work) end the story. (Its
        // "received" notice, from OrderSubmitted, comes much earlier.)
        var spans = await Eventually.Get(
            () => Task.FromResult(system.Spans.Trace(traceId)),
            t => t.Any(s => s.Service == "notification" && s.Tag("messaging.destination.name") == "order-confirmed" && s.Tag("messaging.operation") == "receive")
                 && TraceAssertions.Orphans(t).Count == 0, // a span still open has exported children
            "Notification's receive in the order's trace, every span ended");

        output.WriteLine(SpanTree.Render(spans));

        TraceAssertions.ShouldBeOneTree(spans);
        spans.Select(s => s.Service).Distinct().OrderBy(s => s).ShouldBe(["inventory", "notification", "ordering", "payment"]);

        // The hop through the bus outbox: the delivery span of the messaging building block, then MassTransit's send.
        spans.ShouldContain(s => s.Source == "OrderSystem.Messaging" && s.Service == "ordering", "no bus-outbox delivery span");
        // The saga consumes in Ordering; each service's consumer has its consume span; Npgsql's spans are there.
        spans.ShouldContain(s => s.Service == "ordering" && s.Kind == ActivityKind.Consumer && s.Name.Contains("order-state"), "no saga consume span");
        foreach (var service in new[] { "inventory", "payment", "notification" })
        {
            spans.ShouldContain(s => s.Service == service && s.Kind == ActivityKind.Consumer, $"no consume span in {service}");
            spans.ShouldContain(s => s.Service == service && s.Source == "Npgsql", $"no database span in {service}");
        }

        TraceAssertions.ShouldCarryMessagingAttributes(spans);
        TraceAssertions.ShouldCarryOrderId(spans, orderId);
        spans.ShouldContain(s => s.Tag("order.state") == "Confirmed", "the saga's span does not name the state it entered");
    }
}

/// <summary>What every order trace must satisfy.</summary>
public static class TraceAssertions
{
    public static void ShouldBeOneTree(IReadOnlyList<CapturedSpan> spans)
    {
        var roots = spans.Where(s => s.ParentSpanId == default).ToList();
        roots.Count.ShouldBe(1, "a trace has one root:\n" + SpanTree.Render(spans));
        roots[0].Kind.ShouldBe(ActivityKind.Server);
        roots[0].Service.ShouldBe("ordering");
        roots[0].Tag("http.request.method").ShouldBe("POST");
        Orphans(spans).ShouldBeEmpty("every span's parent is in the trace:\n" + SpanTree.Render(spans));
        spans.ShouldNotContain(s => s.Service == "?", "a span that no service produced:\n" + SpanTree.Render(spans));
    }

    /// <summary>Spans whose parent is not (yet) among the exported spans of the trace.</summary>
    public static List<CapturedSpan> Orphans(IReadOnlyList<CapturedSpan> spans)
    {
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        return spans.Where(s => s.ParentSpanId != default && !ids.Contains(s.ParentSpanId)).ToList();
    }

    /// <summary>
    /// MassTransit's spans carry the OpenTelemetry messaging attributes: every transport send names the system and the
    /// destination, every receive its queue, and all of them the operation, the message and its conversation.
    /// </summary>
    public static void ShouldCarryMessagingAttributes(IReadOnlyList<CapturedSpan> spans)
    {
        var messaging = spans.Where(s => s.Source == "MassTransit" && s.Tag("messaging.operation") is not null).ToList();
        messaging.ShouldNotBeEmpty();
        foreach (var span in messaging)
        {
            span.Tag("messaging.masstransit.message_id").ShouldNotBeNullOrEmpty(span.Name);
            span.Tag("messaging.message.conversation_id").ShouldNotBeNullOrEmpty(span.Name);
        }

        var sends = messaging.Where(s => s.Kind == ActivityKind.Producer && s.Tag("messaging.destination.name") is not null).ToList();
        sends.ShouldNotBeEmpty();
        sends.ShouldAllBe(s => s.Tag("messaging.system") == "rabbitmq" && s.Tag("messaging.operation") == "send");
        var receives = messaging.Where(s => s.Tag("messaging.operation") == "receive").ToList();
        receives.ShouldNotBeEmpty();
        receives.ShouldAllBe(s => s.Kind == ActivityKind.Consumer && s.Tag("messaging.destination.name") != null && s.Tag("messaging.message.id") != null);
    }

    /// <summary>Every span of the trace below the request, of every service, names the order (searchable attribute).</summary>
    public static void ShouldCarryOrderId(IReadOnlyList<CapturedSpan> spans, Guid orderId)
    {
        var untagged = spans.Where(s => s.Tag(OrderBaggage.OrderId) != orderId.ToString()).ToList();
        untagged.ShouldBeEmpty($"spans without {OrderBaggage.OrderId}={orderId}:\n" + string.Join("\n", untagged.Select(s => $"[{s.Service}] {s.Name}")));
    }
}
