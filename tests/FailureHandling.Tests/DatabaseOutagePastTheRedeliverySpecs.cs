using OrderSystem.FailureHandling.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;

namespace OrderSystem.FailureHandling.Tests;

/// <summary>
/// Inventory's database unreachable for longer than the immediate retries <i>and</i> past the moment the first
/// redelivery is due (1 s here), but shorter than <c>RedeliveryWriteHold</c> (30 s here): the redelivery's write keeps
/// trying, holding the broker delivery, and the message is processed once when the database is back, never
/// dead-lettered. (Until the hold existed, the write gave up when the redelivery was due and the message went to
/// <c>reserve-stock_error</c>: what a PostgreSQL restart on a loaded machine did in the chaos suite.)
/// </summary>
public sealed class DatabaseOutagePastTheRedeliverySpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private InventoryUnderTest _inventory = null!;
    private QueueProbe _queues = null!;

    public async Task InitializeAsync()
    {
        _inventory = await InventoryUnderTest.StartAsync(environment, new Dictionary<string, string>
        {
            ["Messaging:FailureHandling:RedeliveryIntervals:0"] = "00:00:01",
            ["Messaging:FailureHandling:RedeliveryWriteHold"] = "00:00:30",
        });
        _queues = new QueueProbe(environment);
    }

    [Fact]
    public async Task An_outage_past_the_redeliverys_due_time_is_ridden_out_and_the_message_is_processed_once()
    {
        var sku = await _inventory.AddProductAsync(available: 10);
        var orderId = Guid.NewGuid();
        var failuresBefore = _inventory.ConnectionFailures.Count;

        _inventory.DatabaseProxy.Disconnect();
        var messageId = await _inventory.PublishReserveStockAsync(orderId, sku, 2);
        // 1 + 2 immediate attempts and the first failed write of the redelivery (5), then five more writes: their
        // back-offs alone (0.1 + 0.2 + 0.4 + 0.8 + 1.6 s) take the outage past the redelivery's due time (1 s).
        await Eventually.True(() => Task.FromResult(_inventory.ConnectionFailures.Count - failuresBefore >= 10),
            "the redelivery's write to keep failing past its due time", TimeSpan.FromSeconds(25));
        (await _queues.PeekAsync(InventoryUnderTest.ReserveStockErrorQueue)).ShouldNotContain(m => m.IsCopyOf(messageId));
        _inventory.DatabaseProxy.Reconnect();

        await _inventory.WaitHandledAsync(messageId, TimeSpan.FromSeconds(30) + Eventually.DefaultTimeout);
        var product = await _inventory.ProductAsync(sku);
        product.Available.ShouldBe(8);
        product.Reserved.ShouldBe(2);
        (await _queues.PeekAsync(InventoryUnderTest.ReserveStockErrorQueue)).ShouldNotContain(m => m.IsCopyOf(messageId));
    }

    public async Task DisposeAsync()
    {
        await _queues.DisposeAsync();
        await _inventory.DisposeAsync();
    }
}
