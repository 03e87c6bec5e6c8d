using MassTransit;
using OrderSystem.Messaging.Tests.Contracts;

namespace OrderSystem.Messaging.Tests.Support;

/// <summary>
/// Records each <see cref="Ping"/>, except that the first delivery of sequence 0 hangs until <see cref="UnresponsiveGate.Release"/>
/// and ignores cancellation: a delivery MassTransit cannot end (queue <c>unresponsive-ping</c>).
/// </summary>
public sealed class UnresponsivePingConsumer(UnresponsiveGate gate, Deliveries deliveries) : IConsumer<Ping>
{
    public async Task Consume(ConsumeContext<Ping> context)
    {
        if (context.Message.Sequence == 0 && Interlocked.Exchange(ref gate.Taken, 1) == 0)
        {
            await gate.Released; // deliberately without context.CancellationToken
        }

        deliveries.Record(context, context.Message);
    }
}

/// <summary>What a deliberately hanging delivery or send waits for (<see cref="UnresponsivePingConsumer"/>, the delivery specs' hung send).</summary>
public sealed class UnresponsiveGate
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Taken;

    public bool IsHanging => Volatile.Read(ref Taken) == 1 && !_released.Task.IsCompleted;

    public Task Released => _released.Task;

    public void Release() => _released.TrySetResult();
}
