using MassTransit;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;

namespace OrderSystem.Messaging.Tests.CrashTesting;

/// <summary>Records the crash client's lease saga's LeaseClosed (behind this host's own inbox; queue <c>lease-observer</c>).</summary>
public sealed class LeaseObserver(Deliveries deliveries) : IConsumer<LeaseClosed>
{
    public const string Queue = "lease-observer";

    public Task Consume(ConsumeContext<LeaseClosed> context)
    {
        deliveries.Record(context, context.Message);
        return Task.CompletedTask;
    }
}
