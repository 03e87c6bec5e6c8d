using MassTransit;
using OrderSystem.Messaging.Benchmarks.Contracts;

namespace OrderSystem.Messaging.Benchmarks.Flow;

/// <summary>Payment's charge step: writes it and answers.</summary>
public sealed class FlowChargeConsumer(FlowTransactions transactions) : IConsumer<FlowCharge>
{
    public async Task Consume(ConsumeContext<FlowCharge> context)
    {
        await transactions.CommitAsync(context.Message.Sequence, "charge", context.CancellationToken);
        await context.Publish(new FlowCharged(context.Message.Sequence));
    }
}
