using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Ordering.Api;
using OrderSystem.Ordering.Saga;
using OrderSystem.Testing.Polling;

namespace OrderSystem.Ordering.Tests.Api;

/// <summary>The public HTTP API of orders against a real database and broker: validation, 404, 202 + Location, idempotency, cancel.</summary>
public class OrdersApiSpecs(OrderingApiFixture service) : IClassFixture<OrderingApiFixture>
{
    private HttpClient Client => service.Client;

    private static object ValidOrder(string customerId = "alice") => new { customerId, lines = new[] { new { sku = "KEYBOARD-01", quantity = 1 } } };

    [Fact]
    public async Task Should_accept_an_order_with_202_a_location_and_its_id()
    {
        var response = await Client.PostAsJsonAsync("/orders", ValidOrder());

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var accepted = await response.Content.ReadFromJsonAsync<OrderAccepted>();
        accepted!.OrderId.ShouldNotBe(Guid.Empty);
        response.Headers.Location!.ToString().ShouldBe($"/orders/{accepted.OrderId}");

        var order = await Client.GetFromJsonAsync<OrderDetails>(response.Headers.Location);
        order!.OrderId.ShouldBe(accepted.OrderId);
        order.CustomerId.ShouldBe("alice");
        order.State.ShouldBe("Submitted");
        order.Lines.ShouldHaveSingleItem().ShouldBe(new OrderLineView("KEYBOARD-01", 1));
        order.History.First().State.ShouldBe("Submitted");
    }

    [Fact]
    public async Task Should_start_the_saga_through_the_bus_outbox()
    {
        var accepted = await (await Client.PostAsJsonAsync("/orders", ValidOrder())).Content.ReadFromJsonAsync<OrderAccepted>();

        var state = await Eventually.Get(
            () => service.WithDb(db => db.OrderStates.AsNoTracking().Where(s => s.CorrelationId == accepted!.OrderId).Select(s => s.CurrentState).FirstOrDefaultAsync()),
            s => s is not null,
            "the saga to take the order in");
        state.ShouldBe("Submitted");
    }

    public static TheoryData<string, string> BadOrders => new()
    {
        { """{"customerId":"alice","lines":[]}""", "lines" },
        { """{"customerId":"alice"}""", "lines" },
        { """{"customerId":"","lines":[{"sku":"KEYBOARD-01","quantity":1}]}""", "customerId" },
        { """{"customerId":"alice","lines":[{"sku":"KEYBOARD-01","quantity":0}]}""", "lines[0].quantity" },
        { """{"customerId":"alice","lines":[{"sku":"KEYBOARD-01","quantity":-3}]}""", "lines[0].quantity" },
        { """{"customerId":"alice","lines":[{"sku":"","quantity":1}]}""", "lines[0].sku" },
        { """{"customerId":"alice","lines":[{"sku":"A","quantity":1},{"sku":"A","quantity":2}]}""", "lines" },
        { "{\"customerId\":\"alice\",\"lines\":[" + string.Join(",", Enumerable.Range(0, 51).Select(i => $"{{\"sku\":\"SKU-{i}\",\"quantity\":1}}")) + "]}", "lines" },
    };

    [Theory]
    [MemberData(nameof(BadOrders))]
    public async Task Should_answer_400_problem_details_naming_the_bad_field(string body, string field)
    {
        var response = await Client.PostAsync("/orders", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe(400);
        problem.RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue($"errors should name '{field}'");
    }

    [Theory]
    [InlineData("{\"customerId\":\"alice\",\"lines\":[{\"sku\":\"A\",\"quantity\":1}")] // truncated
    [InlineData("{\"customerId\":\"alice\",\"lines\":[{\"sku\":\"A\",\"quantity\":\"many\"}]}")] // wrong type
    [InlineData("not json at all")]
    [InlineData("")]
    public async Task Should_answer_400_problem_details_to_malformed_json(string body)
    {
        var response = await Client.PostAsync("/orders", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe(400);
    }

    [Fact]
    public async Task Should_answer_404_for_an_unknown_order()
    {
        (await Client.GetAsync($"/orders/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Client.PostAsync($"/orders/{Guid.NewGuid()}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Should_return_the_same_order_for_the_same_idempotency_key()
    {
        var key = "key-" + Guid.NewGuid();
        var first = await PostWithKey(key, ValidOrder("bob"));
        var second = await PostWithKey(key, ValidOrder("bob"));

        first.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        second.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var firstId = (await first.Content.ReadFromJsonAsync<OrderAccepted>())!.OrderId;
        (await second.Content.ReadFromJsonAsync<OrderAccepted>())!.OrderId.ShouldBe(firstId);
        second.Headers.Location!.ToString().ShouldBe($"/orders/{firstId}");
        (await service.WithDb(db => db.Orders.CountAsync(o => o.IdempotencyKey == key))).ShouldBe(1);
    }

    [Fact]
    public async Task Should_create_one_order_when_the_same_key_arrives_concurrently()
    {
        var key = "key-" + Guid.NewGuid();
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => PostWithKey(key, ValidOrder("carol"))));

        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Accepted);
        var ids = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<OrderAccepted>())!.OrderId));
        ids.Distinct().ShouldHaveSingleItem();
        (await service.WithDb(db => db.Orders.CountAsync(o => o.IdempotencyKey == key))).ShouldBe(1);
    }

    [Fact]
    public async Task Should_refuse_an_idempotency_key_reused_for_a_different_order()
    {
        var key = "key-" + Guid.NewGuid();
        (await PostWithKey(key, ValidOrder("dave"))).StatusCode.ShouldBe(HttpStatusCode.Accepted);

        var reuse = await PostWithKey(key, ValidOrder("eve"));

        reuse.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        reuse.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Should_cancel_a_submitted_order()
    {
        var accepted = await (await Client.PostAsJsonAsync("/orders", ValidOrder())).Content.ReadFromJsonAsync<OrderAccepted>();

        var cancel = await Client.PostAsync($"/orders/{accepted!.OrderId}/cancel", null);

        cancel.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var order = await Eventually.Get(
            () => Client.GetFromJsonAsync<OrderDetails>($"/orders/{accepted.OrderId}"),
            o => o!.State == "Cancelled",
            "the order to be cancelled");
        order!.Reason.ShouldBe("Cancelled by the customer");
    }

    [Theory]
    [InlineData("Confirmed")]
    [InlineData("Rejected")]
    public async Task Should_answer_409_to_a_cancel_after_the_outcome(string finalState)
    {
        var accepted = await (await Client.PostAsJsonAsync("/orders", ValidOrder())).Content.ReadFromJsonAsync<OrderAccepted>();
        await Eventually.True(
            () => service.WithDb(db => db.OrderStates.AnyAsync(s => s.CorrelationId == accepted!.OrderId)),
            "the saga to take the order in");
        // Arrange the outcome directly: this class hosts no Inventory or Payment to reach it through the flow.
        await service.WithDb(db => db.OrderStates.Where(s => s.CorrelationId == accepted!.OrderId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.CurrentState, finalState)));

        var cancel = await Client.PostAsync($"/orders/{accepted!.OrderId}/cancel", null);

        cancel.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        cancel.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Should_list_orders_by_state_newest_first()
    {
        var customer = "lister-" + Guid.NewGuid();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
            ids.Add((await (await Client.PostAsJsonAsync("/orders", ValidOrder(customer))).Content.ReadFromJsonAsync<OrderAccepted>())!.OrderId);

        var page = await Client.GetFromJsonAsync<OrderPage>("/orders?state=Submitted&page=1&pageSize=100");

        page!.Items.ShouldAllBe(o => o.State == "Submitted");
        var mine = page.Items.Where(o => o.CustomerId == customer).Select(o => o.OrderId).ToList();
        mine.ShouldBe(Enumerable.Reverse(ids).ToList());
        page.TotalCount.ShouldBeGreaterThanOrEqualTo(3);
    }

    [Theory]
    [InlineData("/orders?state=Shipped")]
    [InlineData("/orders?page=0")]
    [InlineData("/orders?pageSize=1000")]
    public async Task Should_answer_400_to_a_bad_list_query(string url)
    {
        var response = await Client.GetAsync(url);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Should_describe_the_api_in_an_openapi_document()
    {
        using var document = JsonDocument.Parse(await Client.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        paths.TryGetProperty("/orders", out _).ShouldBeTrue();
        paths.TryGetProperty("/orders/{id}", out _).ShouldBeTrue();
        paths.TryGetProperty("/orders/{id}/cancel", out _).ShouldBeTrue();
    }

    private Task<HttpResponseMessage> PostWithKey(string key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return Client.SendAsync(request);
    }
}
