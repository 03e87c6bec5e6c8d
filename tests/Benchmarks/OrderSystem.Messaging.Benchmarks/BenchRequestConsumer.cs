using MassTransit;
using OrderSystem.Messaging.Benchmarks.Contracts;

namespace OrderSystem.Messaging.Benchmarks;

/// <summary>Consume → publish: the unit of work measured, raw or through the consumer outbox + inbox.</summary>
public sealed class BenchRequestConsumer : IConsumer<BenchRequest>
{
    public Task Consume(ConsumeContext<BenchRequest> context) => context.Publish(new BenchReplied(context.Message.Sequence));
}
