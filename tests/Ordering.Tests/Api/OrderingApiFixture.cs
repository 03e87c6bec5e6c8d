using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrderSystem.Ordering.Persistence;
using OrderSystem.Testing.Infrastructure;

namespace OrderSystem.Ordering.Tests.Api;

/// <summary>
/// The Ordering service (API + saga) hosted in the test process against the real PostgreSQL and RabbitMQ, with its own
/// database and vhost. No other service runs: orders stay Submitted unless a test drives them further.
/// </summary>
public sealed class OrderingApiFixture : IAsyncLifetime
{
    private readonly IsolatedEnvironment _environment = new();

    public WebApplicationFactory<OrderingDbContext> Factory { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    /// <summary>What the service logged (at the levels its configuration lets through).</summary>
    public RecordedLogs Logs { get; } = new();

    public async Task InitializeAsync()
    {
        await _environment.InitializeAsync();
        var orderdb = await _environment.CreateDatabaseAsync("orderdb");
        Factory = new WebApplicationFactory<OrderingDbContext>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:orderdb", orderdb);
            host.UseSetting("ConnectionStrings:messaging", _environment.RabbitMqUri.ToString());
            host.ConfigureLogging(logging => logging.AddProvider(Logs));
        });
        Client = Factory.CreateClient();
    }

    /// <summary>Runs <paramref name="work"/> with a fresh DbContext of the service (to arrange or inspect rows).</summary>
    public async Task<T> WithDb<T>(Func<OrderingDbContext, Task<T>> work)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<OrderingDbContext>());
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        await _environment.DisposeAsync();
    }
}
