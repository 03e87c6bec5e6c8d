using Npgsql;

namespace OrderSystem.Messaging.Storage;

/// <summary>
/// Statements that a consuming pass sends with its last batch, right before its <c>COMMIT</c>
/// (<c>ConsumerOutbox/DbContextOutboxConsumeContext.WriteAndCommitAsync</c>), instead of in round trips of their own.
/// The building block's own writes on the pass's behalf go here: the saga repository's row (<c>Sagas/SagaRowCommands</c>),
/// the rows of messages scheduled in the pass, and the delete of a cancelled schedule; and a consumer's writes of rows
/// that other passes wait for (<c>ConsumerOutbox/WriteAtCommitExtensions</c>). The pass's consume context offers it as a
/// payload (<c>TryGetPayload&lt;PassCommitBatch&gt;</c>); outside a consuming pass there is none, and the building
/// block's writers execute their statement at once as before.
/// <para>
/// What may go here: a write whose only answer is "done", checked by the number of rows it touched. A statement that
/// fails makes PostgreSQL skip the rest of the batch, the <c>COMMIT</c> included, so the pass rolls back and is retried as
/// after any failure (a constraint that refuses the write is how such a statement says "no"). The row counts are checked
/// after the batch, when the transaction has committed: an expectation that does not hold there is a bug to report, not
/// a condition to handle.
/// </para>
/// </summary>
internal sealed class PassCommitBatch
{
    private readonly List<(NpgsqlBatchCommand Command, int? ExpectedRows, string What)> _writes = [];
    private readonly List<OutboxMessage> _scheduled = [];

    /// <summary>Messages scheduled in this pass (a saga's <c>Schedule</c>, <c>context.ScheduleSend</c>), inserted with the batch.</summary>
    public IReadOnlyList<OutboxMessage> Scheduled => _scheduled;

    /// <summary>A message scheduled in this pass: its row goes with the batch.</summary>
    public void AddScheduled(OutboxMessage row) => _scheduled.Add(row);

    /// <summary>A schedule cancelled in the same pass that made it: its row is not written at all.</summary>
    public void ForgetScheduled(Guid tokenId) => _scheduled.RemoveAll(r => r.ScheduleTokenId == tokenId);

    /// <summary>Adds a statement; <paramref name="expectedRows"/>, if given, is the row count it must report.</summary>
    public void Add(NpgsqlBatchCommand command, int? expectedRows, string what) => _writes.Add((command, expectedRows, what));

    /// <summary>Appends the statements to the pass's batch, in the order they were added.</summary>
    public void AppendTo(NpgsqlBatch batch)
    {
        foreach (var write in _writes) batch.BatchCommands.Add(write.Command);
    }

    /// <summary>After the batch ran: every statement touched the rows it was expected to.</summary>
    public void CheckRowCounts()
    {
        foreach (var (command, expected, what) in _writes)
        {
            if (expected is { } rows && command.RecordsAffected != rows)
                throw new InvalidOperationException($"{what}: expected {rows} row(s) written in the pass's commit batch, found {command.RecordsAffected}.");
        }
    }
}
