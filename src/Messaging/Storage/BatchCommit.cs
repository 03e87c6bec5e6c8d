using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace OrderSystem.Messaging.Storage;

/// <summary>
/// Ends a transaction with the last batch it sends: <c>COMMIT</c> as that batch's last command, instead of
/// <c>CommitAsync</c> and a round trip of its own. A consuming pass ends this way (its outbox rows, its inbox row, the
/// "delivered" marks it carries and the commit go to PostgreSQL together), and so does a bus-outbox delivery
/// transaction (the commit goes with its last outbox's delete).
/// <para>
/// Why it is safe. Npgsql has no API to append the commit to a batch (npgsql/npgsql#4351), but it follows the
/// transaction status the server reports after every batch: once PostgreSQL says the session is idle, the
/// <see cref="NpgsqlTransaction"/> counts as completed, its disposal sends nothing, and a <c>Commit</c> on it would throw.
/// EF Core's transaction over it disposes the same way. If a command before the <c>COMMIT</c> fails, PostgreSQL skips
/// the rest of the batch, the <c>COMMIT</c> included; the transaction stays open and failed, and the pass rolls it back as
/// before. <c>BatchCommitSpecs</c> checks these facts, so a Npgsql upgrade that changed them would fail there.
/// </para>
/// <para>
/// What EF Core does not see: its transaction events. No <c>DbTransactionInterceptor</c> hears this commit, so work
/// deferred with <see cref="AfterCommit"/> is started by <see cref="Committed"/> instead.
/// </para>
/// </summary>
public static class BatchCommit
{
    /// <summary>Appends the <c>COMMIT</c>; the batch must run in the transaction it ends.</summary>
    public static void AddTo(NpgsqlBatch batch) => batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));

    /// <summary>
    /// After a batch that ended with <see cref="AddTo"/> ran without error: the context's transaction is committed, and
    /// the work deferred to its commit runs now. The transaction is still the context's current one until disposed.
    /// </summary>
    public static void Committed(DbContext db) => AfterCommit.CommittedInBatch(db);
}
