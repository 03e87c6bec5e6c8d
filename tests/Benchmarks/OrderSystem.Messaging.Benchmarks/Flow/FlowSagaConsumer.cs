using MassTransit;
using OrderSystem.Messaging.Benchmarks.Contracts;

namespace OrderSystem.Messaging.Benchmarks.Flow;

/// <summary>The order saga's three steps, on one queue as the saga's are: each writes its step and publishes the next command or event.</summary>
public sealed class FlowSagaConsumer(FlowTransactions transactions, FlowTracker tracker)
    : IConsumer<FlowSubmitted>, IConsumer<FlowReserved>, IConsumer<FlowCharged>
{
    public async Task Consume(ConsumeContext<FlowSubmitted> context)
    {
        await transactions.CommitAsync(context.Message.Sequence, "saga-submitted", context.CancellationToken);
        await context.Publish(new FlowReserve(context.Message.Sequence));
    }

    public async Task Consume(ConsumeContext<FlowReserved> context)
    {
        await transactions.CommitAsync(context.Message.Sequence, "saga-reserved", context.CancellationToken);
        await context.Publish(new FlowCharge(context.Message.Sequence));
    }

    public async Task Consume(ConsumeContext<FlowCharged> context)
    {
        await transactions.CommitAsync(context.Message.Sequence, "saga-charged", context.CancellationToken);
        tracker.Confirmed(context.Message.Sequence);
        await context.Publish(new FlowConfirmed(context.Message.Sequence));
    }
}
