using MassTransit;
using Npgsql;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.ConsumerOutbox;

/// <summary>
/// Lets a consumer on the consumer outbox hand a write to the statement batch that ends its consuming pass: the write
/// goes to PostgreSQL in the same round trip as the pass's outbox rows and inbox row, right before <c>COMMIT</c>.
/// <para>
/// For a row that other messages' passes wait for (one product's stock, updated by every order of it): a row updated
/// during the consumer is locked from that update until the pass commits, across the round trips in between and the
/// service's wake-ups; a row updated here is locked only while PostgreSQL runs the rest of the batch and flushes the
/// commit. The write's answer comes too late to decide anything with: decide before (an unlocked read) and let a
/// constraint refuse the write when a concurrent pass got there first. The refusal fails the whole batch, so the pass
/// rolls back, nothing of it stays, and the endpoint's failure policy retries it (declare the refusal a conflict:
/// <see cref="FailureHandling.FailurePolicy.Conflict{TException}"/>); the retry reads again and decides again.
/// </para>
/// </summary>
public static class WriteAtCommitExtensions
{
    /// <summary>
    /// Adds <paramref name="command"/> to the pass's commit batch, after every write added before it. It must touch
    /// exactly <paramref name="expectedRows"/> rows: that is checked once the batch has committed, so a different count is
    /// reported as a bug (<see cref="InvalidOperationException"/> naming <paramref name="what"/>), not handled. Only inside
    /// a consuming pass of the consumer outbox; anywhere else it throws.
    /// </summary>
    public static void WriteAtCommit(this ConsumeContext context, NpgsqlBatchCommand command, int expectedRows, string what)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedRows);
        if (!context.TryGetPayload<PassCommitBatch>(out var batch))
        {
            throw new InvalidOperationException(
                $"{what}: WriteAtCommit needs the consumer outbox's consuming pass (UseEntityFrameworkOutbox on the endpoint); this consume context has none.");
        }

        batch.Add(command, expectedRows, what);
    }
}
