using MassTransit;

namespace OrderSystem.Operations.Tests.Support;

/// <summary>Does the work, or throws while the ledger says the key is failing.</summary>
public sealed class WorkConsumer(WorkLedger ledger) : IConsumer<DoWork>, IConsumer<CheckWork>
{
    public Task Consume(ConsumeContext<DoWork> context)
    {
        ledger.Handle(context.Message.Key);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<CheckWork> context)
    {
        ledger.Handle(context.Message.Key);
        return Task.CompletedTask;
    }
}
