using MassTransit;
using OrderSystem.Messaging.Tests.Contracts;

namespace OrderSystem.Messaging.Tests.Queues;

/// <summary>Fails on every <see cref="Ping"/>: with no failure policy on its endpoint, MassTransit moves it to the error queue at once.</summary>
public sealed class FailingPingConsumer : IConsumer<Ping>
{
    public Task Consume(ConsumeContext<Ping> context) => throw new InvalidOperationException($"ping {context.Message.Sequence} always fails");
}
