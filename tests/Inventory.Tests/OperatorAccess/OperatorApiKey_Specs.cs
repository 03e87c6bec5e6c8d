using System.Net;
using System.Text.Json;
using OrderSystem.Inventory.Stock;
using OrderSystem.Inventory.Tests.Support;

namespace OrderSystem.Inventory.Tests.OperatorAccess;

/// <summary>
/// The operator endpoints need the key from <c>Inventory:OperatorApiKey</c> in <c>X-Api-Key</c>; shoppers' reads do not;
/// a refused call changes nothing; no key (given or configured) ever reaches a log line.
/// </summary>
public sealed class OperatorApiKey_Specs(InventoryApiFixture fixture) : IClassFixture<InventoryApiFixture>
{
    private InventoryHost Inventory => fixture.Inventory;

    public static TheoryData<string, string> OperatorCalls => new()
    {
        { "POST", "restock" },
        { "PUT", "stock" },
        { "POST", "products" },
    };

    [Theory]
    [MemberData(nameof(OperatorCalls))]
    public async Task Should_answer_401_ProblemDetails_without_the_key_and_change_nothing(string method, string call)
    {
        var sku = await Inventory.AddProductAsync(available: 4);

        var response = await SendAsync(method, call, sku, key: "");

        var problem = await Problem.ReadAsync(response);
        problem.Status.ShouldBe(HttpStatusCode.Unauthorized);
        problem.ContentType.ShouldBe("application/problem+json");
        problem.Detail.ShouldBe("Send the operator API key in the X-Api-Key header.");
        response.Headers.WwwAuthenticate.ToString().ShouldBe("ApiKey header=\"X-Api-Key\"");
        (await Inventory.ProductAsync(sku))!.Available.ShouldBe(4);
        (await Inventory.ProductAsync(sku + "-NEW")).ShouldBeNull();
    }

    [Theory]
    [MemberData(nameof(OperatorCalls))]
    public async Task Should_answer_401_ProblemDetails_with_a_wrong_key_and_change_nothing(string method, string call)
    {
        var sku = await Inventory.AddProductAsync(available: 4);

        var response = await SendAsync(method, call, sku, key: Inventory.ApiKey + "x");

        var problem = await Problem.ReadAsync(response);
        problem.Status.ShouldBe(HttpStatusCode.Unauthorized);
        problem.Detail.ShouldBe("The X-Api-Key header does not hold the operator API key.");
        (await Inventory.ProductAsync(sku))!.Available.ShouldBe(4);
        (await Inventory.ProductAsync(sku + "-NEW")).ShouldBeNull();
    }

    [Fact]
    public async Task Should_let_shoppers_read_the_catalog_without_a_key()
    {
        var response = await Inventory.Http.GetAsync("/products");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Should_never_log_the_key_given_or_the_key_configured()
    {
        var sku = await Inventory.AddProductAsync(available: 4);
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");
        (await SendAsync("POST", "restock", sku, key: wrong)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await SendAsync("POST", "restock", sku, key: Inventory.ApiKey!)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var lines = Inventory.Logs.Lines.ToList();
        lines.ShouldContain(l => l.Contains($"/products/{sku}/restock"), "the requests were logged (else this test proves nothing)");
        lines.ShouldNotContain(l => l.Contains(wrong));
        lines.ShouldNotContain(l => l.Contains(Inventory.ApiKey!));
    }

    [Fact]
    public async Task Should_describe_the_key_and_every_outcome_in_the_OpenAPI_document()
    {
        using var document = JsonDocument.Parse(await Inventory.Http.GetStringAsync("/openapi/v1.json"));
        var root = document.RootElement;

        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("OperatorApiKey");
        (scheme.GetProperty("type").GetString(), scheme.GetProperty("in").GetString(), scheme.GetProperty("name").GetString())
            .ShouldBe(("apiKey", "header", "X-Api-Key"));
        var paths = root.GetProperty("paths");
        Responses(paths, "/products/{sku}/restock", "post").ShouldBe(["200", "400", "401", "404", "409", "503"]);
        Responses(paths, "/products/{sku}/stock", "put").ShouldBe(["200", "400", "401", "404", "409", "503"]);
        Responses(paths, "/products", "post").ShouldBe(["201", "400", "401", "409", "503"]);
        paths.GetProperty("/products/{sku}/restock").GetProperty("post").TryGetProperty("security", out _).ShouldBeTrue();
        paths.GetProperty("/products").GetProperty("get").TryGetProperty("security", out _).ShouldBeFalse("shoppers' reads are open");
    }

    private static string[] Responses(JsonElement paths, string path, string method) =>
        paths.GetProperty(path).GetProperty(method).GetProperty("responses").EnumerateObject().Select(p => p.Name).Order().ToArray();

    private Task<HttpResponseMessage> SendAsync(string method, string call, string sku, string key) => call switch
    {
        "restock" => Inventory.SendAsync(new HttpMethod(method), $"/products/{sku}/restock", new RestockRequest(10), key),
        "stock" => Inventory.SendAsync(new HttpMethod(method), $"/products/{sku}/stock", new SetStockRequest(10, null), key),
        _ => Inventory.SendAsync(new HttpMethod(method), "/products", new AddProductRequest(sku + "-NEW", "New", 1m, 1), key),
    };
}
