using MassTransit;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;

namespace OrderSystem.Messaging.Tests.ConsumerOutbox;

/// <summary>Writes a ledger entry, publishes <see cref="EntryRecorded"/>, and fails on request after doing both.</summary>
public sealed class RecordEntryConsumer(TestDbContext db, Deliveries deliveries) : IConsumer<RecordEntry>
{
    public static readonly TimeSpan DuplicateWindow = TimeSpan.FromMilliseconds(400);

    public async Task Consume(ConsumeContext<RecordEntry> context)
    {
        var attempt = deliveries.Attempt(context.Message.EntryId);
        deliveries.Record(context, context.Message);

        db.Ledger.Add(new LedgerEntry { EntryId = context.Message.EntryId, Source = nameof(RecordEntryConsumer) });
        await db.SaveChangesAsync(context.CancellationToken);
        await context.Publish(new EntryRecorded(context.Message.EntryId));

        if (context.Message.HoldForDuplicate) await deliveries.HoldAsync(context.Message.EntryId, DuplicateWindow);
        if (attempt <= context.Message.FailAttempts) throw new InvalidOperationException($"Attempt {attempt} fails on purpose");
    }
}
