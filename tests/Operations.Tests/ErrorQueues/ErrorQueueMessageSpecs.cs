using System.Text;
using OrderSystem.Operations.ErrorQueues;
using RabbitMQ.Client;
using Shouldly;
using Xunit;

namespace OrderSystem.Operations.Tests.ErrorQueues;

/// <summary>How a message read from an error queue is understood: its types, its source queue, its re-drive headers.</summary>
public sealed class ErrorQueueMessageSpecs
{
    private const string Envelope = """
        { "messageId": "m-1", "messageType": ["urn:message:OrderSystem.Contracts.Inventory:ReserveStock", "urn:message:OrderSystem.Contracts:ICommand"], "sentTime": "2026-01-01T00:00:00Z" }
        """;

    [Theory]
    [InlineData("urn:message:OrderSystem.Contracts.Inventory:ReserveStock", true)]
    [InlineData("OrderSystem.Contracts.Inventory:ReserveStock", true)]
    [InlineData("OrderSystem.Contracts.Inventory.ReserveStock", true)]
    [InlineData("ReserveStock", true)]
    [InlineData("ICommand", true)]
    [InlineData("Reserve", false)]
    [InlineData("reservestock", false)]
    public void Should_match_a_message_type_by_urn_qualified_or_bare_name(string type, bool matches) =>
        Message(new Dictionary<string, object?>()).HasMessageType(type).ShouldBe(matches);

    [Fact]
    public void Should_take_the_source_queue_from_the_fault_input_address_else_from_the_error_queue_name()
    {
        Message(new Dictionary<string, object?> { [FaultHeaders.InputAddress] = Bytes("rabbitmq://host:5672/prod/reserve-stock?temporary=false") })
            .SourceQueue.ShouldBe("reserve-stock");
        Message(new Dictionary<string, object?>()).SourceQueue.ShouldBe("inventory");
    }

    [Fact]
    public void Should_move_fault_headers_aside_and_count_re_drives()
    {
        var message = Message(new Dictionary<string, object?>
        {
            [FaultHeaders.ExceptionType] = Bytes("System.TimeoutException"),
            [FaultHeaders.StackTrace] = Bytes("at …"),
            [FaultHeaders.Timestamp] = Bytes("2026-01-01T00:00:01Z"),
            [FaultHeaders.RetryCount] = 4,
            [FaultHeaders.Reason] = Bytes("fault"),
            [FaultHeaders.RedeliveryCount] = 2,
            [FaultHeaders.RedriveCount] = 1L,
            [FaultHeaders.FirstFaultTimestamp] = Bytes("2025-12-31T00:00:00Z"),
            ["MT-Host-MachineName"] = Bytes("node-1"),
            ["custom"] = Bytes("kept"),
        });
        message.Attempts.ShouldBe(7, "one, four immediate retries, two redeliveries");

        var headers = RedriveProperties.For(message, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)).Headers!;

        headers.Keys.ShouldNotContain(k => RedriveProperties.IsFaultHeader(k));
        headers[FaultHeaders.LastFaultPrefix + "ExceptionType"].ShouldBe(Bytes("System.TimeoutException"));
        headers[FaultHeaders.LastFaultPrefix + "Redelivery-Count"].ShouldBe(2);
        headers.Keys.ShouldNotContain(FaultHeaders.LastFaultPrefix + "StackTrace");
        headers[FaultHeaders.RedriveCount].ShouldBe(2L);
        headers[FaultHeaders.RedrivenAt].ShouldBe("2026-01-02T03:04:05.0000000Z");
        headers[FaultHeaders.RedrivenFrom].ShouldBe("inventory_error");
        HeaderValue.AsString(headers[FaultHeaders.FirstFaultTimestamp]).ShouldBe("2025-12-31T00:00:00Z", "the first failure is kept across re-drives");
        headers["custom"].ShouldBe(Bytes("kept"));
        headers["MT-Host-MachineName"].ShouldBe(Bytes("node-1"));
    }

    [Fact]
    public void Should_read_a_message_RabbitMQ_dead_lettered_at_a_delivery_limit_and_re_drive_it_without_the_broker_headers()
    {
        // As RabbitMQ 3.10 hands it over from a quorum queue's x-delivery-limit (measured by DeliveryLimitDeadLetterSpecs).
        var message = Message(new Dictionary<string, object?>
        {
            [FaultHeaders.Death] = new List<object?>
            {
                new Dictionary<string, object?>
                {
                    ["count"] = 1L,
                    ["reason"] = Bytes("delivery_limit"),
                    ["queue"] = Bytes("reserve-stock"),
                    ["time"] = new AmqpTimestamp(1_795_000_000),
                    ["exchange"] = Bytes(""),
                    ["routing-keys"] = new List<object?> { Bytes("reserve-stock") },
                },
            },
            [FaultHeaders.FirstDeathReason] = Bytes("delivery_limit"),
            [FaultHeaders.FirstDeathQueue] = Bytes("reserve-stock"),
            ["x-first-death-exchange"] = Bytes(""),
            [FaultHeaders.DeliveryCount] = 2L,
        });

        message.DeadLetterReason.ShouldBe("delivery_limit");
        message.SourceQueue.ShouldBe("reserve-stock", "from x-first-death-queue, not the error queue's name");
        message.FaultedAt.ShouldBe("2026-11-18T11:06:40Z");
        message.Attempts.ShouldBeNull("no consumer faulted");
        FailureGroupKey.Of(message).Cause.ShouldBe("dead-lettered by RabbitMQ: delivery_limit");

        var headers = RedriveProperties.For(message, DateTimeOffset.UnixEpoch).Headers!;
        headers.Keys.ShouldNotContain(k => RedriveProperties.IsBrokerDeadLetterHeader(k));
        HeaderValue.AsString(headers[FaultHeaders.LastFaultPrefix + "death-reason"]).ShouldBe("delivery_limit");
        HeaderValue.AsString(headers[FaultHeaders.FirstFaultTimestamp]).ShouldBe("2026-11-18T11:06:40Z");
    }

    private static ErrorQueueMessage Message(Dictionary<string, object?> headers) =>
        new(1, 1, "inventory_error", new BasicProperties { ContentType = "application/vnd.masstransit+json", Headers = headers }, Encoding.UTF8.GetBytes(Envelope));

    private static byte[] Bytes(string value) => Encoding.UTF8.GetBytes(value);
}
