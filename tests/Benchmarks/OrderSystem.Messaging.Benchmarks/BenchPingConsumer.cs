using MassTransit;
using OrderSystem.Messaging.Benchmarks.Contracts;

namespace OrderSystem.Messaging.Benchmarks;

/// <summary>Stamps the arrival of a bus-outbox message.</summary>
public sealed class BenchPingConsumer(Arrivals arrivals) : IConsumer<BenchPing>
{
    public Task Consume(ConsumeContext<BenchPing> context)
    {
        arrivals.Arrived(context.Message.Sequence);
        return Task.CompletedTask;
    }
}
