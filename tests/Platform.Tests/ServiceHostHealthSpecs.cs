using System.Net;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Platform.Tests;

/// <summary>Each service host starts against the real broker and its own database, migrates, and reports Healthy.</summary>
public sealed class ServiceHostHealthSpecs(IsolatedEnvironment env) : IClassFixture<IsolatedEnvironment>
{
    [Theory]
    [MemberData(nameof(ServiceUnderTest.All), MemberType = typeof(ServiceUnderTest))]
    public async Task Service_starts_and_reports_healthy_with_its_bus_and_database(string service)
    {
        var database = await env.CreateDatabaseAsync(ServiceUnderTest.DatabaseOf(service));
        using var host = ServiceUnderTest.Start(service, env.RabbitMqUri, database, out var client);

        var report = await Eventually.Get(() => HealthReport.ReadAsync(client), r => r.Status == "Healthy", $"{service} /health Healthy");

        report.Code.ShouldBe(HttpStatusCode.OK);
        report.Checks.Keys.ShouldContain(ServiceUnderTest.DatabaseOf(service));
        report.Checks.Keys.ShouldContain("rabbitmq");
        report.Checks.Keys.ShouldContain(k => k.StartsWith("masstransit", StringComparison.OrdinalIgnoreCase));
        report.Checks.Values.ShouldAllBe(status => status == "Healthy");

        var alive = await HealthReport.ReadAsync(client, "/alive");
        alive.Code.ShouldBe(HttpStatusCode.OK);
        alive.Checks.Keys.ShouldBe(["self"]);
    }
}
