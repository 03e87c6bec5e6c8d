using System.Net;
using OrderSystem.Inventory.Stock;
using OrderSystem.Inventory.Tests.Support;
using OrderSystem.Testing.Infrastructure;

namespace OrderSystem.Inventory.Tests.OperatorAccess;

/// <summary>Without <c>Inventory:OperatorApiKey</c> the operator endpoints are off and say why (503); shoppers are unaffected.</summary>
public sealed class OperatorApiKeyNotConfigured_Specs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private InventoryHost _inventory = null!;

    public async Task InitializeAsync() => _inventory = await InventoryHost.StartAsync(environment, apiKey: null);

    [Theory]
    [InlineData("")]
    [InlineData("any-key")]
    public async Task Should_answer_503_ProblemDetails_saying_the_key_is_not_configured(string key)
    {
        var sku = await _inventory.AddProductAsync(available: 4);

        var response = await _inventory.SendAsync(HttpMethod.Post, $"/products/{sku}/restock", new RestockRequest(10), key);

        var problem = await Problem.ReadAsync(response);
        problem.Status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        problem.ContentType.ShouldBe("application/problem+json");
        problem.Detail.ShouldBe("No operator API key is configured (Inventory:OperatorApiKey); set it to enable the operator endpoints.");
        (await _inventory.ProductAsync(sku))!.Available.ShouldBe(4);
        (await _inventory.Http.GetAsync("/products")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    public async Task DisposeAsync() => await _inventory.DisposeAsync();
}
