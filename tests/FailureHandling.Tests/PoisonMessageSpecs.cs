using OrderSystem.FailureHandling.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;

namespace OrderSystem.FailureHandling.Tests;

/// <summary>
/// Messages no consumer can ever handle, put straight into Inventory's <c>reserve-stock</c> queue as raw bytes: they must
/// leave the queue at once (no retry, no redelivery, no loop), end where an operator can find them, and the service must
/// stay healthy and keep processing good messages.
/// </summary>
public sealed class PoisonMessageSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private const string MassTransitJson = "application/vnd.masstransit+json";
    private InventoryUnderTest _inventory = null!;
    private QueueProbe _queues = null!;

    public async Task InitializeAsync()
    {
        _inventory = await InventoryUnderTest.StartAsync(environment);
        _queues = new QueueProbe(environment);
    }

    [Fact]
    public async Task Malformed_json_is_dead_lettered_to_the_error_queue_and_the_service_keeps_working()
    {
        var messageId = Guid.NewGuid().ToString();
        await _queues.PublishRawAsync(InventoryUnderTest.ReserveStockQueue, "{\"messageId\": \"" + messageId + "\", \"message\": {", MassTransitJson, messageId);

        var dead = await Eventually.Get(() => _queues.PeekAsync(InventoryUnderTest.ReserveStockErrorQueue),
            messages => messages.Any(m => m.MessageId == messageId), "the malformed message in reserve-stock_error");
        var faulted = dead.Single(m => m.MessageId == messageId);
        var headers = string.Join("; ", faulted.Headers.Select(h => $"{h.Key}={h.Value}"));
        faulted.Header("MT-Reason").ShouldBe("fault", headers);
        faulted.Header("MT-Fault-ExceptionType").ShouldBe("System.Text.Json.JsonReaderException", headers); // measured: MassTransit 8.5.12
        (await _queues.DepthAsync(InventoryUnderTest.ReserveStockQueue)).ShouldBe(0);

        await ServiceStillWorksAsync();
    }

    [Fact]
    public async Task An_unknown_message_type_is_moved_to_the_skipped_queue_not_the_error_queue_and_the_service_keeps_working()
    {
        var messageId = Guid.NewGuid().ToString();
        var envelope = $$"""
            {"messageId":"{{messageId}}","messageType":["urn:message:OrderSystem.Contracts.Inventory:ReserveStockV9"],
             "message":{"orderId":"{{Guid.NewGuid()}}","lines":[]},"sentTime":"{{DateTime.UtcNow:O}}"}
            """;
        await _queues.PublishRawAsync(InventoryUnderTest.ReserveStockQueue, envelope, MassTransitJson, messageId);

        var skipped = await Eventually.Get(() => _queues.PeekAsync(InventoryUnderTest.ReserveStockQueue + "_skipped"),
            messages => messages.Any(m => m.MessageId == messageId), "the unknown message in reserve-stock_skipped");
        var skippedHeaders = skipped.Single(m => m.MessageId == messageId).Headers;
        skippedHeaders.GetValueOrDefault("MT-Reason").ShouldBe("dead-letter", string.Join("; ", skippedHeaders.Select(h => $"{h.Key}={h.Value}")));
        (await _queues.PeekAsync(InventoryUnderTest.ReserveStockErrorQueue)).ShouldNotContain(m => m.MessageId == messageId);
        (await _queues.DepthAsync(InventoryUnderTest.ReserveStockQueue)).ShouldBe(0);

        await ServiceStillWorksAsync();
    }

    private async Task ServiceStillWorksAsync()
    {
        (await _inventory.HealthStatusAsync()).ShouldBe("Healthy");
        var sku = await _inventory.AddProductAsync(available: 5);
        var messageId = await _inventory.PublishReserveStockAsync(Guid.NewGuid(), sku, 2);
        await _inventory.WaitHandledAsync(messageId);
        (await _inventory.ProductAsync(sku)).Available.ShouldBe(3);
    }

    public async Task DisposeAsync()
    {
        await _queues.DisposeAsync();
        await _inventory.DisposeAsync();
    }
}
