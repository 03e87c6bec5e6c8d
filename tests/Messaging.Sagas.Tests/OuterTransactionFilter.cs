using MassTransit;
using OrderSystem.Messaging.Sagas.Tests.Counter;

namespace OrderSystem.Messaging.Sagas.Tests;

/// <summary>
/// Stands in for the consumer outbox's side of the transaction contract: resolves the scoped DbContext, begins a
/// transaction on it before the saga runs, and commits it afterwards, or rolls it back when the message carries the
/// header <c>outer-transaction: rollback</c>. It records what it saw in <see cref="OuterTransactionProbe"/>.
/// </summary>
public sealed class OuterTransactionFilter<T>(SagaTestDbContext db, OuterTransactionProbe probe) : IFilter<ConsumeContext<T>>
    where T : class
{
    public const string Header = "outer-transaction";

    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var counterId = context.Message switch
        {
            CounterStarted m => m.CounterId,
            CounterOpened m => m.CounterId,
            CounterIncremented m => m.CounterId,
            CounterClosed m => m.CounterId,
            _ => Guid.Empty,
        };

        var messageId = context.MessageId ?? Guid.Empty;
        await using var transaction = await db.Database.BeginTransactionAsync(context.CancellationToken);
        try
        {
            await next.Send(context);
        }
        catch (Exception e)
        {
            probe.Record(messageId, new OuterTransactionOutcome(false, db.Database.CurrentTransaction == transaction, false, e.Message));
            throw;
        }

        var outcome = new OuterTransactionOutcome(
            SagaSucceeded: true,
            SameTransactionAfterSaga: db.Database.CurrentTransaction == transaction,
            CommittedBeforeOuterCommit: await probe.CommittedRowExistsAsync(counterId),
            Error: null);

        if (context.Headers.Get<string>(Header) == "rollback")
            await transaction.RollbackAsync(context.CancellationToken);
        else
            await transaction.CommitAsync(context.CancellationToken);

        probe.Record(messageId, outcome);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("outerTransaction");
}
