using OrderSystem.FailureHandling.Tests.Support;
using OrderSystem.Inventory.Reservations;
using OrderSystem.Messaging.Diagnostics;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;

namespace OrderSystem.FailureHandling.Tests;

/// <summary>
/// Inventory's <c>reserve-stock</c> endpoint under the failure policy (2 immediate retries, redeliveries 1 s and 2 s in
/// this configuration): a transient failure is retried and the message processed once; a permanent one is not retried,
/// lands in <c>reserve-stock_error</c> with MassTransit's fault headers, and leaves nothing behind in the database.
/// </summary>
public sealed class RetrySpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private InventoryUnderTest _inventory = null!;
    private QueueProbe _queues = null!;

    public async Task InitializeAsync()
    {
        _inventory = await InventoryUnderTest.StartAsync(environment);
        _queues = new QueueProbe(environment);
    }

    [Fact]
    public async Task A_transient_failure_twice_then_success_is_processed_once_and_nothing_reaches_the_error_queue()
    {
        var sku = await _inventory.AddProductAsync(available: 10);
        var orderId = Guid.NewGuid();
        var rule = _inventory.Faults.Fail(Faults.ReservationInsert, orderId, Faults.CommandTimeout, times: 2);

        var messageId = await _inventory.PublishReserveStockAsync(orderId, sku, 3);
        await _inventory.WaitHandledAsync(messageId);

        rule.Thrown.ShouldBe(2);
        _inventory.Faults.Seen(Faults.ReservationInsert, orderId).ShouldBe(3); // two failed attempts, one that committed
        var product = await _inventory.ProductAsync(sku);
        product.Available.ShouldBe(7);  // taken once, not three times: the failed attempts were rolled back
        product.Reserved.ShouldBe(3);
        (await _inventory.ReservationAsync(orderId))!.Status.ShouldBe(ReservationStatus.Reserved);
        (await _inventory.InboxAsync(messageId))!.ReceiveCount.ShouldBe(1); // retried inside one delivery, no redelivery
        (await _queues.PeekAsync(InventoryUnderTest.ReserveStockErrorQueue)).ShouldNotContain(m => m.MessageId == messageId.ToString());
    }

    [Fact]
    public async Task A_permanent_failure_is_not_retried_lands_in_the_error_queue_with_fault_headers_and_leaves_nothing_half_written()
    {
        var sku = await _inventory.AddProductAsync(available: 10);
        var orderId = Guid.NewGuid();
        var rule = _inventory.Faults.Fail(Faults.ReservationInsert, orderId, Faults.ValueTooLong);

        var messageId = await _inventory.PublishReserveStockAsync(orderId, sku, 4);
        var dead = await Eventually.Get(() => _queues.PeekAsync(InventoryUnderTest.ReserveStockErrorQueue),
            messages => messages.Any(m => m.MessageId == messageId.ToString()), "the message in reserve-stock_error");

        var faulted = dead.Single(m => m.MessageId == messageId.ToString());
        faulted.Header("MT-Reason").ShouldBe("fault");
        faulted.Header("MT-Fault-ExceptionType").ShouldBe("Npgsql.PostgresException");
        faulted.Header("MT-Fault-InputAddress").ShouldNotBeNull().ShouldEndWith("/" + InventoryUnderTest.ReserveStockQueue);
        faulted.Header("MT-Fault-ConsumerType").ShouldNotBeNull().ShouldContain(nameof(ReserveStockConsumer));
        faulted.Header("MT-Fault-Timestamp").ShouldNotBeNull();
        faulted.Header("MT-Fault-StackTrace").ShouldNotBeNull();
        (faulted.Header("MT-Fault-RetryCount") ?? "0").ShouldBe("0"); // permanent: no immediate retry
        faulted.Header("MT-Redelivery-Count").ShouldBeNull();           // … and no redelivery
        rule.Thrown.ShouldBe(1);

        // Nothing half-written: the stock taken before the failing insert was rolled back with it.
        var product = await _inventory.ProductAsync(sku);
        product.Available.ShouldBe(10);
        product.Reserved.ShouldBe(0);
        (await _inventory.ReservationAsync(orderId)).ShouldBeNull();
        (await _inventory.InboxAsync(messageId)).ShouldBeNull();
        (await _inventory.OutboxRowsAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task The_error_queue_depth_gauge_reports_the_depth_of_the_error_queue()
    {
        using var metrics = new MetricsRecorder();
        var sku = await _inventory.AddProductAsync(available: 10);
        var before = await _queues.DepthAsync(InventoryUnderTest.ReserveStockErrorQueue); // other tests of the class may have left some
        var orderIds = new[] { Guid.NewGuid(), Guid.NewGuid() };
        foreach (var orderId in orderIds)
        {
            _inventory.Faults.Fail(Faults.ReservationInsert, orderId, Faults.ValueTooLong);
            await _inventory.PublishReserveStockAsync(orderId, sku, 1);
        }

        var depth = await Eventually.Get(() => _queues.DepthAsync(InventoryUnderTest.ReserveStockErrorQueue), d => d == before + 2,
            "two more messages in reserve-stock_error");
        var tags = new[] { ("queue", InventoryUnderTest.ReserveStockErrorQueue), ("vhost", environment.VirtualHost) };
        // The wait is the assertion: it fails, with the last value the gauge reported, unless the gauge reaches the depth.
        await Eventually.Get(() => Task.FromResult(metrics.Observe(FailureMetrics.ErrorQueueDepthName, tags)),
            value => value == depth, $"the gauge to report {depth}");

        // The other endpoint of the service is watched too, and its error queue is empty.
        var release = await Eventually.Get(() => Task.FromResult(metrics.Observe(FailureMetrics.ErrorQueueDepthName, ("queue", "release-stock_error"), ("vhost", environment.VirtualHost))),
            value => value is not null, "release-stock_error to be reported");
        release.ShouldBe(0);
    }

    [Fact]
    public async Task The_depth_gauge_covers_the_skipped_queue_too()
    {
        using var metrics = new MetricsRecorder();
        const string skippedQueue = InventoryUnderTest.ReserveStockQueue + "_skipped";
        var before = await _queues.DepthAsync(skippedQueue);
        var endpoint = await _inventory.Bus.GetSendEndpoint(new Uri($"queue:{InventoryUnderTest.ReserveStockQueue}"));
        await endpoint.Send(new NobodyConsumesThis(Guid.NewGuid())); // no consumer of the type on the endpoint: skipped

        var depth = await Eventually.Get(() => _queues.DepthAsync(skippedQueue), d => d == before + 1, "one more message in reserve-stock_skipped");
        // The wait is the assertion: it fails, with the last value the gauge reported, unless the gauge reaches the depth.
        await Eventually.Get(() => Task.FromResult(metrics.Observe(FailureMetrics.ErrorQueueDepthName, ("queue", skippedQueue), ("vhost", environment.VirtualHost))),
            value => value == depth, $"the gauge to report {depth} for {skippedQueue}");
    }

    public async Task DisposeAsync()
    {
        await _queues.DisposeAsync();
        await _inventory.DisposeAsync();
    }
}

/// <summary>A message no endpoint of Inventory consumes: sent to one of its queues, MassTransit moves it to <c>_skipped</c>.</summary>
public record NobodyConsumesThis(Guid Id);
