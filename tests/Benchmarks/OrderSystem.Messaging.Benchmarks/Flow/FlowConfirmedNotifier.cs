using MassTransit;
using OrderSystem.Messaging.Benchmarks.Contracts;

namespace OrderSystem.Messaging.Benchmarks.Flow;

/// <summary>Notification's "order confirmed": writes it; one of a flow's ends.</summary>
public sealed class FlowConfirmedNotifier(FlowTransactions transactions, FlowTracker tracker) : IConsumer<FlowConfirmed>
{
    public async Task Consume(ConsumeContext<FlowConfirmed> context)
    {
        await transactions.CommitAsync(context.Message.Sequence, "notify-confirmed", context.CancellationToken);
        tracker.Ended();
    }
}
