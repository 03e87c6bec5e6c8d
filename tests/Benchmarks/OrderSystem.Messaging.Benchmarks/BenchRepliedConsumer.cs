using MassTransit;
using OrderSystem.Messaging.Benchmarks.Contracts;

namespace OrderSystem.Messaging.Benchmarks;

/// <summary>Counts replies (always without outbox, so both runs measure the same downstream cost).</summary>
public sealed class BenchRepliedConsumer(Counter counter) : IConsumer<BenchReplied>
{
    public Task Consume(ConsumeContext<BenchReplied> context)
    {
        counter.Increment();
        return Task.CompletedTask;
    }
}
