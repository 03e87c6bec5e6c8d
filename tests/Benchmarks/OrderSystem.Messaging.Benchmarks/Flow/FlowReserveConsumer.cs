using MassTransit;
using OrderSystem.Messaging.Benchmarks.Contracts;

namespace OrderSystem.Messaging.Benchmarks.Flow;

/// <summary>Inventory's reservation step: writes it and answers.</summary>
public sealed class FlowReserveConsumer(FlowTransactions transactions) : IConsumer<FlowReserve>
{
    public async Task Consume(ConsumeContext<FlowReserve> context)
    {
        await transactions.CommitAsync(context.Message.Sequence, "reserve", context.CancellationToken);
        await context.Publish(new FlowReserved(context.Message.Sequence));
    }
}
