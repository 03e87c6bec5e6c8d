using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using OrderSystem.Ordering.Api;
using OrderSystem.Ordering.StateFeed;

namespace OrderSystem.Storefront.Tests;

/// <summary>Ordering's <c>GET /orders/events</c>, the source the page is fed from: each committed state, in order.</summary>
[Collection(StorefrontCollection.Name)]
public sealed class OrderEventsSpecs(StorefrontFixture system)
{
    [Fact]
    public async Task Should_push_each_state_an_order_enters_with_its_history_total_and_reason()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await system.Ordering.GetAsync("/orders/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        await using var events = SseParser.Create(stream).EnumerateAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);

        (await events.MoveNextAsync()).ShouldBeTrue();
        events.Current.EventType.ShouldBe(OrderEventsApi.HeartbeatEvent); // subscribed

        var submitted = await system.Ordering.PostAsJsonAsync("/orders",
            new { customerId = "events-" + Guid.NewGuid().ToString("N")[..8], lines = new[] { new { sku = "HEADSET-01", quantity = 1 } } },
            timeout.Token);
        var orderId = (await submitted.Content.ReadFromJsonAsync<OrderAccepted>(timeout.Token))!.OrderId;

        var changes = new List<OrderStateChanged>();
        while (changes.LastOrDefault()?.State is not ("Confirmed" or "Rejected" or "Cancelled"))
        {
            (await events.MoveNextAsync()).ShouldBeTrue("the stream ended");
            if (events.Current.EventType != OrderEventsApi.StateEvent) continue;
            var change = JsonSerializer.Deserialize<OrderStateChanged>(events.Current.Data, JsonSerializerOptions.Web)!;
            if (change.OrderId == orderId) changes.Add(change);
        }

        changes.Select(c => c.State).ShouldBe(["Submitted", "StockReserved", "Confirmed"]);
        changes.Select(c => c.History.Count).ShouldBe([1, 2, 3]);
        changes[^1].History.Select(h => h.State).ShouldBe(["Submitted", "StockReserved", "Confirmed"]);
        changes[^1].Total.ShouldBe(59.00m);
        changes[^1].Reason.ShouldBeNull();
    }
}
