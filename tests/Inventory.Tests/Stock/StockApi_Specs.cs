using System.Net;
using System.Net.Http.Json;
using OrderSystem.Contracts.Inventory;
using OrderSystem.Inventory.Catalog;
using OrderSystem.Inventory.Stock;
using OrderSystem.Inventory.Tests.Support;
using OrderSystem.Testing.Polling;

namespace OrderSystem.Inventory.Tests.Stock;

/// <summary>The operator stock API with the right key: what each call does to the stock, its events, and its refusals.</summary>
public sealed class StockApi_Specs(InventoryApiFixture fixture) : IClassFixture<InventoryApiFixture>
{
    private InventoryHost Inventory => fixture.Inventory;

    [Fact]
    public async Task Should_add_the_units_of_a_restock_to_the_units_for_sale_and_publish_InventoryRestocked()
    {
        var events = await Inventory.RecordAsync<InventoryRestocked>();
        var sku = await Inventory.AddProductAsync(available: 5, reserved: 3);

        var response = await Inventory.SendAsync(HttpMethod.Post, $"/products/{sku}/restock", new RestockRequest(40));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var stock = (await response.Content.ReadFromJsonAsync<ProductStock>())!;
        stock.ShouldBe(new ProductStock(sku, "Test " + sku, 10m, 45, 3));
        stock.OnHand.ShouldBe(48);
        var product = (await Inventory.ProductAsync(sku))!;
        (product.Available, product.Reserved).ShouldBe((45, 3));
        var restocked = await Eventually.Get(() => Task.FromResult(events.Where(e => e.Sku == sku).ToList()), e => e.Count == 1, "InventoryRestocked published");
        restocked[0].ShouldBe(restocked[0] with { Quantity = 40, Available = 45, Reserved = 3 });
    }

    [Fact]
    public async Task Should_set_the_units_for_sale_and_leave_the_reserved_units_alone()
    {
        var events = await Inventory.RecordAsync<StockLevelSet>();
        var sku = await Inventory.AddProductAsync(available: 5, reserved: 3);

        var response = await Inventory.SendAsync(HttpMethod.Put, $"/products/{sku}/stock", new SetStockRequest(100, null));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadFromJsonAsync<ProductStock>())!.ShouldBe(new ProductStock(sku, "Test " + sku, 10m, 100, 3));
        var product = (await Inventory.ProductAsync(sku))!;
        (product.Available, product.Reserved).ShouldBe((100, 3));
        var set = await Eventually.Get(() => Task.FromResult(events.Where(e => e.Sku == sku).ToList()), e => e.Count == 1, "StockLevelSet published");
        set[0].ShouldBe(set[0] with { PreviousAvailable = 5, Available = 100, Reserved = 3 });
    }

    [Fact]
    public async Task Should_set_to_zero_to_stop_selling()
    {
        var sku = await Inventory.AddProductAsync(available: 5, reserved: 2);

        var response = await Inventory.SendAsync(HttpMethod.Put, $"/products/{sku}/stock", new SetStockRequest(0, null));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var product = (await Inventory.ProductAsync(sku))!;
        (product.Available, product.Reserved).ShouldBe((0, 2));
    }

    [Fact]
    public async Task Should_refuse_a_set_whose_expected_units_for_sale_changed_meanwhile()
    {
        var sku = await Inventory.AddProductAsync(available: 7);

        var stale = await Inventory.SendAsync(HttpMethod.Put, $"/products/{sku}/stock", new SetStockRequest(50, ExpectedAvailable: 10));
        var current = await Inventory.SendAsync(HttpMethod.Put, $"/products/{sku}/stock", new SetStockRequest(50, ExpectedAvailable: 7));

        var problem = await Problem.ReadAsync(stale);
        problem.Status.ShouldBe(HttpStatusCode.Conflict);
        problem.ContentType.ShouldBe("application/problem+json");
        problem.Detail.ShouldBe($"'{sku}' has 7 unit(s) for sale, not the 10 expected; nothing was changed.");
        current.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Inventory.ProductAsync(sku))!.Available.ShouldBe(50);
    }

    [Fact]
    public async Task Should_add_a_product_that_shoppers_then_see_and_publish_ProductAdded()
    {
        var events = await Inventory.RecordAsync<ProductAdded>();
        var sku = "NEW-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

        var response = await Inventory.SendAsync(HttpMethod.Post, "/products", new AddProductRequest(sku, "Desk lamp", 34.50m, 12));

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        response.Headers.Location!.ToString().ShouldBe($"/products/{sku}");
        (await response.Content.ReadFromJsonAsync<ProductStock>())!.ShouldBe(new ProductStock(sku, "Desk lamp", 34.50m, 12, 0));
        var catalog = await Inventory.Http.GetFromJsonAsync<List<ProductsApi.ProductView>>("/products");
        catalog!.ShouldContain(new ProductsApi.ProductView(sku, "Desk lamp", 34.50m, 12, 0, 12, 0));
        await Eventually.True(() => Task.FromResult(events.Any(e => e.Sku == sku && e.Available == 12)), "ProductAdded published");
    }

    [Fact]
    public async Task Should_refuse_a_duplicate_SKU_with_409_and_keep_the_existing_product()
    {
        var sku = await Inventory.AddProductAsync(available: 3);

        var response = await Inventory.SendAsync(HttpMethod.Post, "/products", new AddProductRequest(sku, "Impostor", 1m, 999));

        var problem = await Problem.ReadAsync(response);
        problem.Status.ShouldBe(HttpStatusCode.Conflict);
        problem.Detail.ShouldBe($"A product with SKU '{sku}' exists already.");
        var product = (await Inventory.ProductAsync(sku))!;
        (product.Name, product.Available).ShouldBe(("Test " + sku, 3));
    }

    [Theory]
    [InlineData("POST", "restock")]
    [InlineData("PUT", "stock")]
    public async Task Should_answer_404_ProblemDetails_for_an_unknown_SKU(string method, string action)
    {
        object body = action == "restock" ? new RestockRequest(1) : new SetStockRequest(1, null);

        var response = await Inventory.SendAsync(new HttpMethod(method), $"/products/NO-SUCH-SKU/{action}", body);

        var problem = await Problem.ReadAsync(response);
        problem.Status.ShouldBe(HttpStatusCode.NotFound);
        problem.ContentType.ShouldBe("application/problem+json");
        problem.Detail.ShouldBe("No product has SKU 'NO-SUCH-SKU'.");
    }

    [Theory]
    [InlineData("restock", """{"quantity":0}""", "quantity")]
    [InlineData("restock", """{"quantity":1000001}""", "quantity")]
    [InlineData("restock", """{}""", "quantity")]
    [InlineData("stock", """{"available":-1}""", "available")]
    [InlineData("stock", """{}""", "available")]
    [InlineData("stock", """{"available":5,"expectedAvailable":-2}""", "expectedAvailable")]
    public async Task Should_answer_400_ProblemDetails_naming_the_field_and_change_nothing(string action, string json, string field)
    {
        var sku = await Inventory.AddProductAsync(available: 4);
        var request = new HttpRequestMessage(action == "restock" ? HttpMethod.Post : HttpMethod.Put, $"/products/{sku}/{action}")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Api-Key", Inventory.ApiKey);

        var problem = await Problem.ReadAsync(await Inventory.Http.SendAsync(request));

        problem.Status.ShouldBe(HttpStatusCode.BadRequest);
        problem.ContentType.ShouldBe("application/problem+json");
        problem.Errors.Keys.ShouldBe([field]);
        (await Inventory.ProductAsync(sku))!.Available.ShouldBe(4);
    }

    [Fact]
    public async Task Should_name_every_invalid_field_of_a_new_product()
    {
        var response = await Inventory.SendAsync(HttpMethod.Post, "/products", new AddProductRequest("lower case", " ", -1m, null));

        var problem = await Problem.ReadAsync(response);
        problem.Status.ShouldBe(HttpStatusCode.BadRequest);
        problem.Errors.Keys.Order().ShouldBe(["available", "name", "price", "sku"]);
    }

    [Fact]
    public async Task Should_refuse_a_restock_beyond_the_maximum_with_409()
    {
        var sku = await Inventory.AddProductAsync(available: StockValidation.MaxStock - 10);

        var problem = await Problem.ReadAsync(await Inventory.SendAsync(HttpMethod.Post, $"/products/{sku}/restock", new RestockRequest(11)));

        problem.Status.ShouldBe(HttpStatusCode.Conflict);
        (await Inventory.ProductAsync(sku))!.Available.ShouldBe(StockValidation.MaxStock - 10);
    }

    [Theory]
    [InlineData("{\"quantity\":", "$", "Malformed JSON")]
    [InlineData("{\"quantity\":\"ten\"}", "quantity", "Expected a whole number")]
    [InlineData("{\"quantity\":5,\"quantiy\":5}", "quantiy", "Unknown field")]
    public async Task Should_answer_an_unreadable_body_with_400_ProblemDetails_naming_the_field(string body, string field, string explanation)
    {
        var sku = await Inventory.AddProductAsync(available: 4);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/products/{sku}/restock")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Api-Key", Inventory.ApiKey);

        var response = await Inventory.Http.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var errors = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("errors");
        errors.TryGetProperty(field, out var messages).ShouldBeTrue(text);
        messages[0].GetString().ShouldStartWith(explanation, Case.Sensitive, text);
        (await Inventory.ProductAsync(sku))!.Available.ShouldBe(4, "an unreadable request changes nothing");
    }
}
