using MassTransit;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;

namespace OrderSystem.Messaging.Tests.CrashTesting;

/// <summary>Records what the crash client's countdown saga publishes (behind this host's own inbox).</summary>
public sealed class CountdownObserver(Deliveries deliveries) : IConsumer<CountdownStarted>, IConsumer<CountdownElapsed>
{
    public Task Consume(ConsumeContext<CountdownStarted> context)
    {
        deliveries.Record(context, context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<CountdownElapsed> context)
    {
        deliveries.Record(context, context.Message);
        return Task.CompletedTask;
    }
}
