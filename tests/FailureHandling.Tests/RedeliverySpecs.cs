using OrderSystem.FailureHandling.Tests.Support;
using OrderSystem.Messaging.Diagnostics;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;

namespace OrderSystem.FailureHandling.Tests;

/// <summary>
/// Failures that outlast the immediate retries (3 attempts within ~100 ms here): the message is written to the durable
/// PostgreSQL scheduler and comes back after the configured interval (1 s, then 2 s), without the delayed-exchange
/// plugin, and is then processed once.
/// </summary>
public sealed class RedeliverySpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private InventoryUnderTest _inventory = null!;
    private QueueProbe _queues = null!;

    public async Task InitializeAsync()
    {
        _inventory = await InventoryUnderTest.StartAsync(environment);
        _queues = new QueueProbe(environment);
    }

    [Fact]
    public async Task A_failure_longer_than_the_immediate_retries_is_redelivered_through_the_durable_scheduler_and_then_processed_once()
    {
        using var metrics = new MetricsRecorder();
        var sku = await _inventory.AddProductAsync(available: 10);
        var orderId = Guid.NewGuid();
        // 4 failures: the first delivery's 3 attempts (1 + 2 immediate retries), then the first attempt after redelivery.
        var rule = _inventory.Faults.Fail(Faults.ReservationInsert, orderId, Faults.CommandTimeout, times: 4);

        var messageId = await _inventory.PublishReserveStockAsync(orderId, sku, 2);
        await _inventory.WaitHandledAsync(messageId);

        rule.Thrown.ShouldBe(4);
        var product = await _inventory.ProductAsync(sku);
        product.Available.ShouldBe(8);
        product.Reserved.ShouldBe(2);
        metrics.Sum(FailureMetrics.RedeliveriesName, ("endpoint", InventoryUnderTest.ReserveStockQueue), ("vhost", environment.VirtualHost),
            ("message_type", "ReserveStock")).ShouldBe(1, metrics.Describe(FailureMetrics.RedeliveriesName));
        (await _queues.PeekAsync(InventoryUnderTest.ReserveStockErrorQueue)).ShouldNotContain(m => m.IsCopyOf(messageId));
    }

    [Fact]
    public async Task A_failure_that_outlasts_every_redelivery_ends_in_the_error_queue_with_its_redelivery_count()
    {
        using var metrics = new MetricsRecorder();
        var sku = await _inventory.AddProductAsync(available: 10);
        var orderId = Guid.NewGuid();
        var rule = _inventory.Faults.Fail(Faults.ReservationInsert, orderId, Faults.CommandTimeout);

        var messageId = await _inventory.PublishReserveStockAsync(orderId, sku, 2);
        var dead = await Eventually.Get(() => _queues.PeekAsync(InventoryUnderTest.ReserveStockErrorQueue),
            messages => messages.Any(m => m.IsCopyOf(messageId)), "the message in reserve-stock_error");

        // A redelivered copy is a new message (new message id) carrying MT-OriginalMessageId; the inbox keys on the original.
        var faulted = dead.Single(m => m.IsCopyOf(messageId));
        faulted.Header("MT-Redelivery-Count").ShouldBe("2");
        faulted.Header("MT-Fault-RetryCount").ShouldBe("2");
        rule.Thrown.ShouldBe(9); // (1 + 2 retries) × (1 + 2 redeliveries): bounded, never a loop
        metrics.Sum(FailureMetrics.RedeliveriesName, ("endpoint", InventoryUnderTest.ReserveStockQueue), ("vhost", environment.VirtualHost)).ShouldBe(2, metrics.Describe(FailureMetrics.RedeliveriesName));
        (await _inventory.ProductAsync(sku)).Available.ShouldBe(10);
    }

    public async Task DisposeAsync()
    {
        await _queues.DisposeAsync();
        await _inventory.DisposeAsync();
    }
}
