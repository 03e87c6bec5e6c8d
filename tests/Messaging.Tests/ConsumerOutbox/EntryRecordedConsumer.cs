using MassTransit;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;

namespace OrderSystem.Messaging.Tests.ConsumerOutbox;

public sealed class EntryRecordedConsumer(Deliveries deliveries) : IConsumer<EntryRecorded>
{
    public Task Consume(ConsumeContext<EntryRecorded> context)
    {
        deliveries.Record(context, context.Message);
        return Task.CompletedTask;
    }
}
