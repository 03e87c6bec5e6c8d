using OrderSystem.FailureHandling.Tests.Support;
using OrderSystem.Messaging.Diagnostics;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;

namespace OrderSystem.FailureHandling.Tests;

/// <summary>
/// Inventory's database really unreachable (a <see cref="OrderSystem.Testing.Faults.TcpProxy"/> between the service and
/// PostgreSQL) for longer than the immediate retries. Here the first redelivery interval is 15 s: the durable scheduler
/// lives in the same database, so the redelivery write waits (holding the broker delivery) until the database is back,
/// at most until the redelivery would have been due. The interval is the test's window to end the outage in: wide, so
/// that a loaded machine reaches the point "past the immediate retries" well inside it.
/// </summary>
public sealed class DatabaseOutageSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private static readonly TimeSpan FirstRedelivery = TimeSpan.FromSeconds(15);
    private InventoryUnderTest _inventory = null!;
    private QueueProbe _queues = null!;

    public async Task InitializeAsync()
    {
        _inventory = await InventoryUnderTest.StartAsync(environment, new Dictionary<string, string>
        {
            ["Messaging:FailureHandling:RedeliveryIntervals:0"] = FirstRedelivery.ToString("c"),
            ["Messaging:FailureHandling:RedeliveryIntervals:1"] = "00:00:05",
        });
        _queues = new QueueProbe(environment);
    }

    [Fact]
    public async Task An_outage_longer_than_the_immediate_retries_is_ridden_out_by_a_delayed_redelivery_and_the_message_is_processed_once()
    {
        using var metrics = new MetricsRecorder();
        var sku = await _inventory.AddProductAsync(available: 10);
        var orderId = Guid.NewGuid();
        var failuresBefore = _inventory.ConnectionFailures.Count;

        _inventory.DatabaseProxy.Disconnect();
        var messageId = await _inventory.PublishReserveStockAsync(orderId, sku, 2);
        // 1 + 2 immediate attempts, then at least one failed attempt to write the redelivery: past the immediate retries.
        await Eventually.True(() => Task.FromResult(_inventory.ConnectionFailures.Count - failuresBefore >= 5),
            "the immediate retries and a redelivery write to fail on the unreachable database", FirstRedelivery - TimeSpan.FromSeconds(5));
        (await _queues.PeekAsync(InventoryUnderTest.ReserveStockErrorQueue)).ShouldNotContain(m => m.IsCopyOf(messageId));
        _inventory.DatabaseProxy.Reconnect();

        await _inventory.WaitHandledAsync(messageId, FirstRedelivery + Eventually.DefaultTimeout);
        var product = await _inventory.ProductAsync(sku);
        product.Available.ShouldBe(8);
        product.Reserved.ShouldBe(2);
        metrics.Sum(FailureMetrics.RedeliveriesName, ("endpoint", InventoryUnderTest.ReserveStockQueue), ("vhost", environment.VirtualHost))
            .ShouldBe(1, metrics.Describe(FailureMetrics.RedeliveriesName));
        (await _queues.PeekAsync(InventoryUnderTest.ReserveStockErrorQueue)).ShouldNotContain(m => m.IsCopyOf(messageId));
        (await _inventory.HealthStatusAsync()).ShouldBe("Healthy");
    }

    public async Task DisposeAsync()
    {
        await _queues.DisposeAsync();
        await _inventory.DisposeAsync();
    }
}
