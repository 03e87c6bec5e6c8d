using MassTransit;
using OrderSystem.Messaging.Benchmarks.Contracts;

namespace OrderSystem.Messaging.Benchmarks.Flow;

/// <summary>Notification's "order received": writes it; one of a flow's ends.</summary>
public sealed class FlowSubmittedNotifier(FlowTransactions transactions, FlowTracker tracker) : IConsumer<FlowSubmitted>
{
    public async Task Consume(ConsumeContext<FlowSubmitted> context)
    {
        await transactions.CommitAsync(context.Message.Sequence, "notify-submitted", context.CancellationToken);
        tracker.Ended();
    }
}
