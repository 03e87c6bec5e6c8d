using MassTransit;
using Npgsql;
using OrderSystem.Messaging.ConsumerOutbox;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;

namespace OrderSystem.Messaging.Tests.ConsumerOutbox;

/// <summary>
/// Writes a ledger entry, publishes <see cref="EntryRecorded"/>, and hands the counter's update to the pass's commit
/// (<c>context.WriteAtCommit</c>) on the <c>counters</c> table of <see cref="WriteAtCommitSpecs"/>, whose check
/// constraint refuses a negative value.
/// </summary>
public sealed class AdjustCounterConsumer(TestDbContext db, Deliveries deliveries) : IConsumer<AdjustCounter>
{
    public async Task Consume(ConsumeContext<AdjustCounter> context)
    {
        deliveries.Attempt(context.Message.EntryId);
        db.Ledger.Add(new LedgerEntry { EntryId = context.Message.EntryId, Source = nameof(AdjustCounterConsumer) });
        await db.SaveChangesAsync(context.CancellationToken);
        await context.Publish(new EntryRecorded(context.Message.EntryId));

        context.WriteAtCommit(new NpgsqlBatchCommand("UPDATE counters SET value = value + $1 WHERE name = $2")
        {
            Parameters = { new NpgsqlParameter { Value = context.Message.By }, new NpgsqlParameter { Value = context.Message.Counter } },
        }, expectedRows: 1, "Adjust counter " + context.Message.Counter);
    }
}
