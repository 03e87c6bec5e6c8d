using MassTransit;
using OrderSystem.Messaging.Tests.Contracts;

namespace OrderSystem.Messaging.Tests.Support;

/// <summary>Records each <see cref="Ping"/> it receives, one at a time (so arrival order is queue order).</summary>
public sealed class PingConsumer(Deliveries deliveries) : IConsumer<Ping>
{
    public Task Consume(ConsumeContext<Ping> context)
    {
        deliveries.Record(context, context.Message);
        return Task.CompletedTask;
    }
}

public sealed class PingConsumerDefinition : ConsumerDefinition<PingConsumer>
{
    public PingConsumerDefinition() => ConcurrentMessageLimit = 1;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PingConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = 1;
    }
}
