using MassTransit;
using OrderSystem.Messaging.Benchmarks.Contracts;

namespace OrderSystem.Messaging.Benchmarks.Flow;

/// <summary>Inventory's sale of the reserved stock when the order is confirmed: writes it; one of a flow's ends.</summary>
public sealed class FlowSaleConsumer(FlowTransactions transactions, FlowTracker tracker) : IConsumer<FlowConfirmed>
{
    public async Task Consume(ConsumeContext<FlowConfirmed> context)
    {
        await transactions.CommitAsync(context.Message.Sequence, "sale", context.CancellationToken);
        tracker.Ended();
    }
}
