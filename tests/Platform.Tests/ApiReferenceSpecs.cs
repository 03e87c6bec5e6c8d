using System.Net;
using System.Text.Json;
using OrderSystem.Testing.Infrastructure;
using Shouldly;
using Xunit;

namespace OrderSystem.Platform.Tests;

/// <summary>
/// Every service with an HTTP API describes it (<c>/openapi/v1.json</c>, titled for this project), shows it
/// (<c>/scalar/v1</c>, without the reference's unrelated features) and sends <c>GET /</c> there.
/// </summary>
public sealed class ApiReferenceSpecs(IsolatedEnvironment env) : IClassFixture<IsolatedEnvironment>
{
    public static readonly TheoryData<string, string> ServicesWithAnApi = new()
    {
        { "Ordering", "/orders" },
        { "Inventory", "/products" },
        { "Notification", "/notifications" },
    };

    [Theory]
    [MemberData(nameof(ServicesWithAnApi))]
    public async Task The_root_leads_to_the_api_reference_of_a_described_api(string service, string path)
    {
        var database = await env.CreateDatabaseAsync(ServiceUnderTest.DatabaseOf(service));
        using var host = ServiceUnderTest.Start(service, env.RabbitMqUri, database, out var client);

        using var root = await client.GetAsync("/");
        root.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        root.Headers.Location!.ToString().ShouldBe("/scalar/v1");

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var info = document.RootElement.GetProperty("info");
        info.GetProperty("title").GetString().ShouldBe($"OrderSystem · {(service == "Ordering" ? "Ordering API" : service)}");
        info.GetProperty("description").GetString().ShouldNotBeNullOrWhiteSpace();
        document.RootElement.GetProperty("paths").TryGetProperty(path, out _).ShouldBeTrue($"{service} documents {path}");
        document.RootElement.GetProperty("paths").TryGetProperty("/", out _).ShouldBeFalse("the redirect is not part of the API");

        var page = await client.GetStringAsync("/scalar/v1");
        page.ShouldContain("OrderSystem · ");
        page.ShouldContain("\"hideClientButton\":true");
        page.ShouldContain("\"telemetry\":false");
        page.ShouldContain("\"showDeveloperTools\":\"never\"");
        page.ShouldContain("\"agent\":{\"disabled\":true}");
        page.ShouldContain("\"mcp\":{\"disabled\":true}");
    }

    [Fact]
    public async Task Notification_answers_400_naming_an_order_id_that_is_not_one()
    {
        var database = await env.CreateDatabaseAsync(ServiceUnderTest.DatabaseOf("Notification"));
        using var host = ServiceUnderTest.Start("Notification", env.RabbitMqUri, database, out var client);

        using var response = await client.GetAsync("/notifications?orderId=");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("errors").GetProperty("orderId")[0].GetString().ShouldBe("'' is not an order id (a UUID).");
    }
}
