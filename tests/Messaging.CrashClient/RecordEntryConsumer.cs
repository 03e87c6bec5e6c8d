using MassTransit;
using OrderSystem.Messaging.Tests.Contracts;

namespace OrderSystem.Messaging.CrashClient;

/// <summary>Writes a ledger entry and publishes <see cref="EntryRecorded"/>: both commit together in the consumer outbox.</summary>
public sealed class RecordEntryConsumer(CrashDbContext db) : IConsumer<RecordEntry>
{
    public const string Queue = "crash-record-entry";

    public async Task Consume(ConsumeContext<RecordEntry> context)
    {
        db.Ledger.Add(new CrashLedgerEntry { EntryId = context.Message.EntryId, Source = nameof(RecordEntryConsumer) });
        await db.SaveChangesAsync(context.CancellationToken);
        await context.Publish(new EntryRecorded(context.Message.EntryId));
    }
}

public sealed class RecordEntryConsumerDefinition : ConsumerDefinition<RecordEntryConsumer>
{
    public RecordEntryConsumerDefinition() => EndpointName = RecordEntryConsumer.Queue;
}
