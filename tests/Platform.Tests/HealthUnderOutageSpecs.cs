using System.Net;
using Npgsql;
using OrderSystem.Testing.Faults;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Platform.Tests;

/// <summary>
/// Readiness tells the truth: <c>/health</c> turns Unhealthy (503) while the broker or the database cannot be reached,
/// and Healthy again once they can, with no restart. A <see cref="TcpProxy"/> sits between the service and the real
/// server, so the outage is real to the service while the shared server keeps running for other tests.
/// Liveness (<c>/alive</c>) stays 200 throughout: an orchestrator must not kill a process for an outage elsewhere.
/// </summary>
public sealed class HealthUnderOutageSpecs(IsolatedEnvironment env) : IClassFixture<IsolatedEnvironment>
{
    private static readonly TimeSpan OutageDetection = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Health_is_unhealthy_while_the_broker_is_unreachable_and_recovers()
    {
        var broker = env.RabbitMqUri;
        await using var proxy = TcpProxy.Start(broker.Host, broker.Port);
        var proxied = new UriBuilder(broker) { Host = "127.0.0.1", Port = proxy.Port }.Uri;
        var database = await env.CreateDatabaseAsync("orderdb");
        using var host = ServiceUnderTest.Start("Ordering", proxied, database, out var client);
        await Eventually.Get(() => HealthReport.ReadAsync(client), r => r.Status == "Healthy", "healthy before the outage");

        proxy.Disconnect();

        // Until the broker's own check has seen the outage: MassTransit's bus check can turn the report Unhealthy first,
        // while the check's connection is not yet known to be closed (a CI run read "rabbitmq: Healthy" at that moment).
        var down = await Eventually.Get(() => HealthReport.ReadAsync(client),
            r => r.Status == "Unhealthy" && r.Checks.GetValueOrDefault("rabbitmq") == "Unhealthy",
            "/health Unhealthy, and its rabbitmq check too, with the broker unreachable", OutageDetection);
        down.Code.ShouldBe(HttpStatusCode.ServiceUnavailable);
        down.Checks["rabbitmq"].ShouldBe("Unhealthy");
        down.Checks["orderdb"].ShouldBe("Healthy");
        (await HealthReport.ReadAsync(client, "/alive")).Code.ShouldBe(HttpStatusCode.OK);

        proxy.Reconnect();

        var up = await Eventually.Get(() => HealthReport.ReadAsync(client), r => r.Status == "Healthy",
            "/health Healthy again once the broker is back", OutageDetection);
        up.Code.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Health_is_unhealthy_while_the_database_is_unreachable_and_recovers()
    {
        var database = new NpgsqlConnectionStringBuilder(await env.CreateDatabaseAsync("orderdb"));
        await using var proxy = TcpProxy.Start(database.Host!, database.Port);
        database.Host = "127.0.0.1";
        database.Port = proxy.Port;
        database.Timeout = 3;
        using var host = ServiceUnderTest.Start("Ordering", env.RabbitMqUri, database.ConnectionString, out var client);
        await Eventually.Get(() => HealthReport.ReadAsync(client), r => r.Status == "Healthy", "healthy before the outage");

        proxy.Disconnect();

        var down = await Eventually.Get(() => HealthReport.ReadAsync(client),
            r => r.Status == "Unhealthy" && r.Checks.GetValueOrDefault("orderdb") == "Unhealthy",
            "/health Unhealthy, and its orderdb check too, with the database unreachable", OutageDetection);
        down.Code.ShouldBe(HttpStatusCode.ServiceUnavailable);
        down.Checks["orderdb"].ShouldBe("Unhealthy");
        (await HealthReport.ReadAsync(client, "/alive")).Code.ShouldBe(HttpStatusCode.OK);

        proxy.Reconnect();

        await Eventually.Get(() => HealthReport.ReadAsync(client), r => r.Status == "Healthy",
            "/health Healthy again once the database is back", OutageDetection);
    }
}
