using MassTransit;
using OrderSystem.Messaging.Tests.Contracts;

namespace OrderSystem.Messaging.Tests.Support;

/// <summary>
/// A consumer that keeps every <see cref="Ping"/> it takes until <see cref="PingGate.Open"/>: its deliveries stay
/// unacknowledged for as long as the test wants (queue <c>held-ping</c>).
/// </summary>
public sealed class HeldPingConsumer(PingGate gate, Deliveries deliveries) : IConsumer<Ping>
{
    public async Task Consume(ConsumeContext<Ping> context)
    {
        Interlocked.Increment(ref gate.Holding);
        try
        {
            await gate.Opened.WaitAsync(context.CancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref gate.Holding);
        }

        deliveries.Record(context, context.Message);
    }
}

/// <summary>Takes up to <see cref="Limit"/> messages at once, and asks the broker for no more than that.</summary>
public sealed class HeldPingConsumerDefinition : ConsumerDefinition<HeldPingConsumer>
{
    public const int Limit = 3;

    public HeldPingConsumerDefinition() => ConcurrentMessageLimit = Limit;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<HeldPingConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = Limit;
    }
}

/// <summary>What <see cref="HeldPingConsumer"/> waits for, and how many messages it holds now.</summary>
public sealed class PingGate
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Holding;

    public Task Opened => _opened.Task;

    public void Open() => _opened.TrySetResult();
}
