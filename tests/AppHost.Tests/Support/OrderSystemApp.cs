using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.SystemProcesses.Machine;
using OrderSystem.Testing.Polling;

namespace OrderSystem.AppHost.Tests.Support;

/// <summary>
/// The real AppHost (AppHost/AppHost.cs) started by Aspire.Hosting.Testing: the same model `dotnet run --project AppHost`
/// runs, with the dashboard off, random service ports, its own data directory and ports for RabbitMQ and PostgreSQL,
/// and the services' telemetry sent to <paramref name="otlpEndpoint"/> as if it were the dashboard's.
/// </summary>
public sealed class OrderSystemApp : IAsyncDisposable
{
    public static readonly string[] Services = ["ordering", "inventory", "payment", "notification"];
    public static readonly string[] Infrastructure = ["messaging", "postgres", "orderdb", "inventorydb", "paymentdb", "notificationdb"];
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private OrderSystemApp(DistributedApplication app, string dataDirectory, int brokerPort)
    {
        App = app;
        DataDirectory = dataDirectory;
        BrokerPort = brokerPort;
    }

    public DistributedApplication App { get; }

    public string DataDirectory { get; }

    /// <summary>The local RabbitMQ's AMQP port (without a container runtime); unique to this run.</summary>
    public int BrokerPort { get; }

    public static async Task<OrderSystemApp> StartAsync(string? otlpEndpoint = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "ordersystem-apphost-test-" + Guid.NewGuid().ToString("N")[..8]);
        var brokerPort = FreePorts.ForRabbitMq();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OrderSystem_AppHost>(
        [
            $"--LocalInfrastructure:DataDirectory={dataDirectory}",
            $"--LocalInfrastructure:RabbitMqPort={brokerPort}",
            $"--LocalInfrastructure:RabbitMqManagementPort={FreePorts.Any()}",
            $"--LocalInfrastructure:EpmdPort={FreePorts.Any()}",
            $"--LocalInfrastructure:PostgresPort={FreePorts.Any()}",
        ]);
        if (otlpEndpoint is not null)
        {
            builder.Configuration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = otlpEndpoint;
            builder.Configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = null;
        }

        var app = await builder.BuildAsync();
        var system = new OrderSystemApp(app, dataDirectory, brokerPort);
        try
        {
            using var timeout = new CancellationTokenSource(StartTimeout);
            await app.StartAsync(timeout.Token);
            foreach (var name in Infrastructure.Concat(Services))
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
            }
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }

        return system;
    }

    public HttpClient Client(string service) => App.CreateHttpClient(service);

    public async Task<Guid> PlaceOrderAsync(string customerId = "alice", string sku = "MOUSE-01", int quantity = 1)
    {
        using var client = Client("ordering");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = JsonContent.Create(new { customerId, lines = new[] { new { sku, quantity } } }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("orderId").GetGuid();
    }

    public async Task<string> OrderStateAsync(Guid orderId)
    {
        using var client = Client("ordering");
        var order = await client.GetFromJsonAsync<JsonElement>($"/orders/{orderId}");
        return order.GetProperty("state").GetString()!;
    }

    public Task WaitForStateAsync(Guid orderId, string state, TimeSpan? timeout = null) =>
        Eventually.Get(() => OrderStateAsync(orderId), s => s == state, $"order {orderId} {state}", timeout ?? TimeSpan.FromMinutes(2));

    private async Task StopQuietly(string resourceName)
    {
        try
        {
            await ExecuteAsync(resourceName, KnownResourceCommands.StopCommand);
        }
        catch (InvalidOperationException)
        {
            // already stopped, or never started: nothing to do
        }
    }

    public async Task ExecuteAsync(string resourceName, string command)
    {
        var resource = App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == resourceName);
        var result = await App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resource, command);
        if (!result.Success) throw new InvalidOperationException($"{command} on {resourceName} failed: {result.Message}");
    }

    /// <summary>The RabbitMQ management API of the system's broker, with the credentials the services get.</summary>
    public async Task<HttpClient> BrokerManagementAsync()
    {
        var uri = new Uri((await App.GetConnectionStringAsync("messaging"))!);
        var credentials = uri.UserInfo.Split(':').Select(Uri.UnescapeDataString).ToArray();
        var client = new HttpClient { BaseAddress = App.GetEndpoint("messaging", "management") };
        client.DefaultRequestHeaders.Authorization = new("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{credentials[0]}:{credentials[1]}")));
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Under Aspire.Hosting.Testing, DCP stops the resources only once the test process exits; stop them now,
            // so that the next test (and the next test project) gets the machine's two cores back.
            await Task.WhenAll(Services.Select(StopQuietly));
            await Task.WhenAll(new[] { "messaging", "postgres" }.Select(StopQuietly));
            await App.StopAsync();
        }
        finally
        {
            await App.DisposeAsync();
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
