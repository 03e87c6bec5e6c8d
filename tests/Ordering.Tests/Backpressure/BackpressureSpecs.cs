using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrderSystem.Ordering.Api;
using OrderSystem.Ordering.Persistence;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;

namespace OrderSystem.Ordering.Tests.Backpressure;

/// <summary>
/// Flow control at the front door, against the real broker and database: while more than <c>MaxWaiting</c> messages wait
/// for the saga, <c>POST /orders</c> answers 503 + Retry-After with a ProblemDetails and records nothing; a retry of an
/// order accepted earlier still gets that order; once the saga has caught up, orders are accepted again. The saga is held
/// up the way a slow database would: an exclusive lock on its table, so its messages pile up in <c>order-state</c>.
/// </summary>
public sealed class BackpressureSpecs : IAsyncLifetime
{
    private readonly IsolatedEnvironment _environment = new();
    private WebApplicationFactory<OrderingDbContext> _factory = null!;
    private HttpClient _client = null!;
    private string _orderdb = "";

    public async Task InitializeAsync()
    {
        await _environment.InitializeAsync();
        _orderdb = await _environment.CreateDatabaseAsync("orderdb");
        _factory = new WebApplicationFactory<OrderingDbContext>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:orderdb", _orderdb);
            host.UseSetting("ConnectionStrings:messaging", _environment.RabbitMqUri.ToString());
            host.UseSetting("Ordering:Backpressure:MaxWaiting", "5");
            host.UseSetting("Ordering:Backpressure:RetryAfter", "00:00:02");
            host.UseSetting("Messaging:QueueMonitor:Interval", "00:00:00.200");
        });
        _client = _factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _environment.DisposeAsync();
    }

    private static object Order(string customerId) => new { customerId, lines = new[] { new { sku = "KEYBOARD-01", quantity = 1 } } };

    private Task<HttpResponseMessage> Submit(string customerId, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(Order(customerId)) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return _client.SendAsync(request);
    }

    [Fact]
    public async Task Should_refuse_new_orders_with_503_while_the_saga_is_behind_and_accept_again_once_it_caught_up()
    {
        var key = "backpressure-" + Guid.NewGuid();
        var first = await Submit("early", key);
        first.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var firstId = (await first.Content.ReadFromJsonAsync<OrderAccepted>())!.OrderId;
        await Eventually.True(async () =>
        {
            await using var scope = _factory.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<OrderingDbContext>().OrderStates.AnyAsync(s => s.CorrelationId == firstId);
        }, "the saga up and taking orders in");

        await using var connection = new NpgsqlConnection(_orderdb);
        await connection.OpenAsync();
        var hold = await connection.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE order_states IN EXCLUSIVE MODE", connection, hold))
            await lockTable.ExecuteNonQueryAsync();

        // A client that keeps ordering: accepted until the waiting work passes the bound, then refused.
        HttpResponseMessage? refused = null;
        var accepted = 0;
        await Eventually.True(async () =>
        {
            var response = await Submit("flood");
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                refused = response;
                return true;
            }

            response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            accepted++;
            return false;
        }, "a 503 once more than 5 messages wait for the saga", TimeSpan.FromSeconds(60));

        accepted.ShouldBeGreaterThan(5);
        refused!.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(2));
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = (await refused.Content.ReadFromJsonAsync<ProblemDetails>())!;
        problem.Status.ShouldBe(503);
        problem.Title.ShouldBe("Too many orders waiting");

        // The client's retry of an order accepted before is not new work: it gets its order, never a 503.
        var retry = await Submit("early", key);
        retry.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await retry.Content.ReadFromJsonAsync<OrderAccepted>())!.OrderId.ShouldBe(firstId);

        await hold.RollbackAsync(); // the saga catches up
        await Eventually.True(async () => (await Submit("later")).StatusCode == HttpStatusCode.Accepted,
            "orders accepted again once the backlog drained", TimeSpan.FromSeconds(60));
    }
}
