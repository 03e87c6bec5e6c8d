using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using OrderSystem.Messaging.Configuration;
using OrderSystem.Messaging.Diagnostics;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.ConsumerOutbox;

/// <summary>
/// Group commit of the consumer outbox's "delivered" marks for one DbContext type, in one process.
/// <para>
/// After a consuming pass commits, its delivery step sends the produced messages and then marks the inbox row delivered
/// (and deletes the sent rows) before the broker delivery is acknowledged. That mark was one autocommitted statement of
/// its own per consumed message: a round trip and a commit (measured: about 14 % of the consumer outbox's throughput).
/// Here a mark does not go out alone while another consuming pass of this process is open and has not yet written:
/// that pass carries it, in the batch it sends anyway, and the mark commits with that pass's transaction. The
/// acknowledgement still waits until the mark is committed, so a crash leaves exactly what it left before (a mark
/// that did not commit is a consumed, undelivered row whose message comes back: docs/reliability.md).
/// </para>
/// <para>
/// A mark also waits while another owner's statement is on its way: when that statement is done, the first waiting
/// owner writes every waiting mark in one statement (group commit among the owners). A mark waits at most
/// <see cref="EntityFrameworkOutboxOptions.DeliveredMarkWait"/>; a pass that ends without committing its batch (it
/// failed, or it wrote nothing) hands its marks back. Marks ride only on this process's passes of the same DbContext
/// type (the same database).
/// </para>
/// </summary>
public sealed class DeliveredMarks<TDbContext>(EntityFrameworkOutboxOptionsFor<TDbContext> options)
    where TDbContext : DbContext
{
    private readonly Lock _gate = new();
    private readonly List<Mark> _waiting = [];
    private readonly TimeSpan _wait = options.Value.DeliveredMarkWait;
    private int _openPasses;
    private int _ownerWrites;
    private long _carried;
    private long _writtenByOwners;
    private long _ownerStatements;

    /// <summary>Marks committed in another message's consuming pass.</summary>
    public long Carried => Interlocked.Read(ref _carried);

    /// <summary>Marks their owners wrote (alone, or with others that were waiting).</summary>
    public long WrittenByOwners => Interlocked.Read(ref _writtenByOwners);

    /// <summary>Statements the owners sent for them.</summary>
    public long OwnerStatements => Interlocked.Read(ref _ownerStatements);

    /// <summary>Marks waiting for a pass to carry them.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate) return _waiting.Count;
        }
    }

    /// <summary>The UPDATE and DELETE that write <paramref name="marks"/>, for a batch (a pass's, or an owner's own).</summary>
    internal static IEnumerable<NpgsqlBatchCommand> Commands(MessagingTables tables, IReadOnlyCollection<Mark> marks)
    {
        yield return new NpgsqlBatchCommand(tables.Sql(MarkSql))
        {
            Parameters =
            {
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, Value = marks.Select(m => m.InboxId).ToArray() },
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, Value = marks.Select(m => m.Delivered).ToArray() },
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, Value = marks.Select(m => m.LastSequenceNumber).ToArray() },
            },
        };
        yield return new NpgsqlBatchCommand(tables.Sql(DeleteSql))
        {
            Parameters =
            {
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid, Value = marks.Select(m => m.MessageId).ToArray() },
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid, Value = marks.Select(m => m.ConsumerId).ToArray() },
            },
        };
    }

    /// <summary>Writes <paramref name="marks"/> in one round trip, in <paramref name="transaction"/> when there is one.</summary>
    internal static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, MessagingTables tables,
        IReadOnlyCollection<Mark> marks, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var command in Commands(tables, marks)) batch.BatchCommands.Add(command);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Marks the rows delivered, unless a concurrent copy of the message delivered them under its lock already (then
    /// its time stands).
    /// </summary>
    private static string MarkSql(MessagingTables tables) =>
        $"UPDATE {tables.InboxState} AS i SET delivered = m.delivered, last_sequence_number = m.last_sequence_number " +
        "FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[]) AS m(id, delivered, last_sequence_number) " +
        "WHERE i.id = m.id AND i.delivered IS NULL";

    private static string DeleteSql(MessagingTables tables) =>
        $"DELETE FROM {tables.OutboxMessage} AS o USING unnest($1::uuid[], $2::uuid[]) AS m(message_id, consumer_id) " +
        "WHERE o.inbox_message_id = m.message_id AND o.inbox_consumer_id = m.consumer_id";

    /// <summary>
    /// Writes <paramref name="mark"/> and returns once it is committed: carried by an open pass when there is one (waiting
    /// at most <see cref="EntityFrameworkOutboxOptions.DeliveredMarkWait"/>), otherwise in one autocommitted statement on
    /// <paramref name="db"/>'s connection, with every other mark that is waiting.
    /// </summary>
    internal async Task WriteAsync(TDbContext db, MessagingTables tables, Mark mark, CancellationToken cancellationToken)
    {
        bool queued;
        lock (_gate)
        {
            queued = _openPasses > 0 || _ownerWrites > 0;
            if (queued) _waiting.Add(mark);
        }

        if (queued && await CarriedAsync(mark, cancellationToken)) return;

        List<Mark> marks = [mark];
        lock (_gate)
        {
            marks.AddRange(_waiting);
            _waiting.Clear();
            _ownerWrites++;
        }

        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                await ExecuteAsync((NpgsqlConnection)db.Database.GetDbConnection(), null, tables, marks, cancellationToken);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
        catch
        {
            // The others go back to waiting (the next leader writes them); this message's own retry finds its row
            // consumed and not delivered, and delivers it again under the row lock.
            Ended(returned: marks.Skip(1).ToList(), ownerWrite: true);
            throw;
        }

        Interlocked.Add(ref _writtenByOwners, marks.Count);
        Interlocked.Increment(ref _ownerStatements);
        MessagingTelemetry.DeliveredMarks.Add(marks.Count, new KeyValuePair<string, object?>("written_by", "owner"));
        foreach (var written in marks) written.Done.TrySetResult(true);
        Ended(returned: [], ownerWrite: true);
    }

    /// <summary>
    /// True when a pass (or another owner) committed the mark within the wait; false when its owner is to write it now.
    /// Every wait is bounded: after <see cref="EntityFrameworkOutboxOptions.DeliveredMarkWait"/> the owner writes the mark
    /// itself, even when a pass has taken it and not committed yet. Both may then write it; the statements skip a row
    /// already delivered and rows already deleted, so the second writes nothing. (An owner that waited for the pass
    /// instead would wait as long as that pass: a delivery that never ends keeps a RabbitMQ connection from closing.)
    /// </summary>
    private async Task<bool> CarriedAsync(Mark mark, CancellationToken cancellationToken)
    {
        try
        {
            return await mark.Done.Task.WaitAsync(_wait, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_gate) _waiting.Remove(mark);
            if (e is OperationCanceledException) throw;
            return mark.Done.Task.IsCompletedSuccessfully && mark.Done.Task.Result;
        }
    }

    /// <summary>A consuming pass began its transaction: marks may wait for it.</summary>
    internal void PassOpened()
    {
        lock (_gate) _openPasses++;
    }

    /// <summary>
    /// The open pass is about to write its batch: it takes every waiting mark. The caller adds <see cref="Commands"/> for
    /// them to its batch and calls <see cref="PassCommitted"/> or <see cref="PassFailed"/>.
    /// </summary>
    internal IReadOnlyList<Mark> PassWriting()
    {
        lock (_gate)
        {
            _openPasses--;
            if (_waiting.Count == 0) return [];
            var taken = _waiting.ToArray();
            _waiting.Clear();
            return taken;
        }
    }

    /// <summary>The open pass ended without writing: it found nothing to do.</summary>
    internal void PassAbandoned() => Ended(returned: [], pass: true);

    internal void PassCommitted(IReadOnlyList<Mark> carried)
    {
        if (carried.Count > 0)
        {
            Interlocked.Add(ref _carried, carried.Count);
            MessagingTelemetry.DeliveredMarks.Add(carried.Count, new KeyValuePair<string, object?>("written_by", "pass"));
            foreach (var mark in carried) mark.Done.TrySetResult(true);
        }

        Ended(returned: []);
    }

    /// <summary>
    /// The pass failed: before its write (<paramref name="open"/>), or after it, and the marks it
    /// <paramref name="carried"/> in its batch rolled back with it and wait again.
    /// </summary>
    internal void PassFailed(bool open, IReadOnlyList<Mark> carried) => Ended(returned: carried, pass: open);

    /// <summary>
    /// A pass or an owner's statement ended; <paramref name="returned"/> marks were not committed and wait again. When
    /// nothing is left that could carry the waiting marks (no open pass, no owner's statement on its way), the first of
    /// them is handed back to its owner, who writes them all.
    /// </summary>
    private void Ended(IReadOnlyList<Mark> returned, bool pass = false, bool ownerWrite = false)
    {
        Mark? leader = null;
        lock (_gate)
        {
            if (pass) _openPasses--;
            if (ownerWrite) _ownerWrites--;
            _waiting.AddRange(returned.Where(m => !m.Done.Task.IsCompleted)); // not those their owners wrote meanwhile
            if (_openPasses == 0 && _ownerWrites == 0 && _waiting.Count > 0)
            {
                leader = _waiting[0];
                _waiting.RemoveAt(0);
            }
        }

        leader?.Done.TrySetResult(false);
    }

    /// <summary>One inbox row to mark delivered (and its outbox rows to delete).</summary>
    internal sealed class Mark(long inboxId, Guid messageId, Guid consumerId, DateTime delivered, long? lastSequenceNumber)
    {
        public long InboxId { get; } = inboxId;
        public Guid MessageId { get; } = messageId;
        public Guid ConsumerId { get; } = consumerId;
        public DateTime Delivered { get; } = delivered;
        public long? LastSequenceNumber { get; } = lastSequenceNumber;

        /// <summary>True once committed by a pass or another owner; false when its owner is to write it (and those waiting).</summary>
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
