using MassTransit;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;

namespace OrderSystem.Messaging.Tests.ConsumerOutbox;

/// <summary>
/// Keeps its consuming pass (the consumer outbox's transaction) open until <see cref="PassGate.Open"/>, and tells the
/// gate which DbContext that pass runs on.
/// </summary>
public sealed class HoldPassConsumer(PassGate gate, TestDbContext db) : IConsumer<HoldPass>
{
    public async Task Consume(ConsumeContext<HoldPass> context)
    {
        gate.Held = db;
        await gate.Opened.WaitAsync(context.CancellationToken);
        if (context.Message.FailOnRelease) throw new InvalidOperationException("The held pass fails on purpose");
    }
}
