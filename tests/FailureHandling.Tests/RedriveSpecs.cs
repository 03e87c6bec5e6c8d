using MassTransit;
using OrderSystem.Contracts.Inventory;
using OrderSystem.Contracts.Ordering;
using OrderSystem.FailureHandling.Tests.Support;
using OrderSystem.Testing.Operations;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;

namespace OrderSystem.FailureHandling.Tests;

/// <summary>
/// The operator's way out of the error queue, with the real <c>ordersystem-ops</c> command root: once the cause is
/// fixed, a re-driven message is processed exactly once; re-driving a message that was already processed has no second
/// effect (the inbox absorbs it).
/// </summary>
public sealed class RedriveSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private InventoryUnderTest _inventory = null!;
    private QueueProbe _queues = null!;

    public async Task InitializeAsync()
    {
        _inventory = await InventoryUnderTest.StartAsync(environment);
        _queues = new QueueProbe(environment);
    }

    [Fact]
    public async Task A_message_re_driven_after_the_cause_is_fixed_is_processed_exactly_once_and_the_error_queue_is_empty()
    {
        var sku = await _inventory.AddProductAsync(available: 10);
        var orderId = Guid.NewGuid();
        var rule = _inventory.Faults.Fail(Faults.ReservationInsert, orderId, Faults.ValueTooLong);
        var messageId = await _inventory.PublishReserveStockAsync(orderId, sku, 5);
        await Eventually.True(async () => (await _queues.PeekAsync(InventoryUnderTest.ReserveStockErrorQueue)).Any(m => m.IsCopyOf(messageId)),
            "the message in reserve-stock_error");
        (await _inventory.ProductAsync(sku)).Available.ShouldBe(10);

        _inventory.Faults.Clear(rule); // the cause is fixed
        var redrive = await Ops.RunAsync(environment, "error-queues", "redrive", InventoryUnderTest.ReserveStockErrorQueue, "--message-id", messageId.ToString());
        redrive.ExitCode.ShouldBe(0, redrive.Error);

        await _inventory.WaitHandledAsync(messageId);
        var product = await _inventory.ProductAsync(sku);
        product.Available.ShouldBe(5);
        product.Reserved.ShouldBe(5);
        _inventory.Faults.Seen(Faults.ReservationInsert, orderId).ShouldBe(2); // the failed attempt, then the one that committed
        (await _queues.DepthAsync(InventoryUnderTest.ReserveStockErrorQueue)).ShouldBe(0);
    }

    [Fact]
    public async Task Re_driving_a_message_that_was_already_processed_has_no_second_effect()
    {
        var sku = await _inventory.AddProductAsync(available: 10);
        var orderId = Guid.NewGuid();
        var messageId = await _inventory.PublishReserveStockAsync(orderId, sku, 3);
        await _inventory.WaitHandledAsync(messageId);

        // The same message (same id) lands in the error queue anyway, e.g. a copy dead-lettered by another instance
        // after this one processed it; the operator re-drives everything.
        var errorQueue = await _inventory.Bus.GetSendEndpoint(new Uri("queue:" + InventoryUnderTest.ReserveStockErrorQueue));
        await errorQueue.Send(new ReserveStock(orderId, [new OrderLine(sku, 3)]), context => context.MessageId = messageId);
        await Eventually.True(async () => await _queues.DepthAsync(InventoryUnderTest.ReserveStockErrorQueue) == 1, "the copy in reserve-stock_error");
        var receivedBefore = (await _inventory.InboxAsync(messageId))!.ReceiveCount;

        var redrive = await Ops.RunAsync(environment, "error-queues", "redrive", InventoryUnderTest.ReserveStockErrorQueue, "--all");
        redrive.ExitCode.ShouldBe(0, redrive.Error);

        // The copy reached the service: its inbox counted another delivery of the message (and found it consumed and delivered).
        await Eventually.True(async () => (await _inventory.InboxAsync(messageId))!.ReceiveCount > receivedBefore, "the re-driven copy to reach the inbox");
        await Eventually.True(async () => await _queues.DepthAsync(InventoryUnderTest.ReserveStockQueue) == 0, "reserve-stock to be drained");
        var product = await _inventory.ProductAsync(sku);
        product.Available.ShouldBe(7);
        product.Reserved.ShouldBe(3);
        _inventory.Faults.Seen(Faults.ReservationInsert, orderId).ShouldBe(1); // the consumer never ran a second time
        (await _queues.DepthAsync(InventoryUnderTest.ReserveStockErrorQueue)).ShouldBe(0);
    }

    public async Task DisposeAsync()
    {
        await _queues.DisposeAsync();
        await _inventory.DisposeAsync();
    }
}
