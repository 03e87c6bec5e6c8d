using System.Text.Json;
using MassTransit;
using OrderSystem.Contracts.Inventory;
using OrderSystem.FailureHandling.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using RabbitMQ.Client;

namespace OrderSystem.FailureHandling.Tests;

/// <summary>
/// A message RabbitMQ itself dead-lettered at a quorum queue's delivery limit carries no MassTransit fault header, only
/// RabbitMQ's <c>x-death</c> and <c>x-first-death-reason: delivery_limit</c>. The operator tool shows it with that
/// reason and its source queue, groups it by that cause, and re-drives it like any other dead letter, into the real
/// Inventory (<c>Messaging:QueueType=quorum</c>), which then processes it.
/// </summary>
public sealed class DeliveryLimitDeadLetterSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private const string MassTransitJson = "application/vnd.masstransit+json";
    private const int DeliveryLimit = 1;
    private static readonly Dictionary<string, string> Quorum = new()
    {
        ["Messaging:QueueType"] = "quorum",
        ["Messaging:DeliveryLimit"] = DeliveryLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private QueueProbe _queues = null!;

    public Task InitializeAsync()
    {
        _queues = new QueueProbe(environment);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _queues.DisposeAsync();

    [Fact]
    public async Task A_message_dead_lettered_at_the_delivery_limit_is_shown_with_its_reason_and_re_driven_like_any_other()
    {
        // Inventory declares its quorum queues (and their error queues), then stops: nobody consumes reserve-stock.
        await (await InventoryUnderTest.StartAsync(environment, Quorum)).DisposeAsync();
        var messageId = Guid.NewGuid();
        var envelope = JsonSerializer.Serialize(new
        {
            messageId,
            messageType = new[] { MessageUrn.ForTypeString<ReserveStock>() },
            message = new { orderId = Guid.NewGuid(), lines = new[] { new { sku = "NO-SUCH-SKU", quantity = 1 } } },
            sentTime = DateTime.UtcNow,
        });
        await _queues.PublishRawAsync(InventoryUnderTest.ReserveStockQueue, envelope, MassTransitJson, messageId.ToString());

        // A consumer that takes the message and hands it back unacknowledged, as a dying process does, until RabbitMQ
        // dead-letters it: delivered DeliveryLimit + 1 times.
        (await HandBackUntilGoneAsync(InventoryUnderTest.ReserveStockQueue)).ShouldBe(DeliveryLimit + 1);
        await Eventually.True(async () => await _queues.DepthAsync(InventoryUnderTest.ReserveStockErrorQueue) == 1, "the message in reserve-stock_error");

        var show = await Ops.RunAsync(environment, "error-queues", "show", InventoryUnderTest.ReserveStockErrorQueue);
        show.ExitCode.ShouldBe(0, show.Error);
        show.Output.ShouldContain(messageId.ToString());
        show.Output.ShouldContain("delivery limit reached");
        show.Output.ShouldContain("x-first-death-reason delivery_limit) from reserve-stock");
        show.Output.ShouldContain("source queue reserve-stock (from x-first-death-queue)");
        show.Output.ShouldContain("failed at"); // when RabbitMQ dead-lettered it

        var groups = await Ops.RunAsync(environment, "error-queues", "groups");
        groups.ExitCode.ShouldBe(0, groups.Error);
        groups.Output.ShouldContain("dead-lettered by RabbitMQ: delivery_limit");

        // Re-driven into a running Inventory: processed like any other message (an unknown SKU: StockReservationFailed).
        await using var inventory = await InventoryUnderTest.StartAsync(environment, Quorum);
        var redrive = await Ops.RunAsync(environment, "error-queues", "redrive", InventoryUnderTest.ReserveStockErrorQueue, "--all");
        redrive.ExitCode.ShouldBe(0, redrive.Error);
        redrive.Output.ShouldContain($"moved {messageId}");
        await inventory.WaitHandledAsync(messageId);
        (await _queues.DepthAsync(InventoryUnderTest.ReserveStockErrorQueue)).ShouldBe(0);
    }

    /// <summary>Gets the queue's head and nacks it with requeue, until the queue is empty; returns how many deliveries that took.</summary>
    private async Task<int> HandBackUntilGoneAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = environment.RabbitMqUri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var deliveries = 0;
        while (await channel.BasicGetAsync(queue, autoAck: false) is { } delivery)
        {
            deliveries++;
            deliveries.ShouldBeLessThanOrEqualTo(DeliveryLimit + 5, "the queue keeps handing the message out: no delivery limit");
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true);
        }

        return deliveries;
    }
}
