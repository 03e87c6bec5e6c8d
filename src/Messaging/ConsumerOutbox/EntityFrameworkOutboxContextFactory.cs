using System.Diagnostics;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.ConsumerOutbox;

/// <summary>
/// The consumer outbox + inbox for one received message, on the consume scope's <typeparamref name="TDbContext"/>. It owns
/// the transaction: each pass is one READ COMMITTED transaction that this factory begins before the consumer or saga runs
/// and commits after it, so they only write and publish (docs/messaging.md, "Consumer outbox + inbox", has the passes).
/// </summary>
public sealed class EntityFrameworkOutboxContextFactory<TDbContext>(TDbContext db, IServiceProvider provider, DeliveredMarks<TDbContext> marks)
    : IOutboxContextFactory<TDbContext>
    where TDbContext : DbContext
{
    /// <summary>The inbox row's columns, in the order <see cref="ReadInboxAsync"/> reads them.</summary>
    private const string InboxColumns =
        "id, message_id, consumer_id, lock_id, received, receive_count, expiration_time, consumed, delivered, last_sequence_number, xmin";

    /// <summary>Locks an existing inbox row (selects <c>xmin</c> for the row version).</summary>
    private static string LockInboxSql(MessagingTables tables) =>
        $"SELECT {InboxColumns} FROM {tables.InboxState} WHERE message_id = $1 AND consumer_id = $2 FOR UPDATE";

    public async Task Send<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next)
        where T : class
    {
        var messageId = context.GetOriginalMessageId()
            ?? throw new MessageException(typeof(T), "The consumer outbox needs a MessageId on every received message.");
        var state = new MessageState(messageId, options.ConsumerId, MessagingTables.For(db));

        var started = Stopwatch.GetTimestamp();
        var continueProcessing = true;
        while (continueProcessing)
        {
            var strategy = db.Database.CreateExecutionStrategy();
            continueProcessing = await strategy.ExecuteAsync(() => Pass(context, options, next, state));
        }

        // A message the inbox had consumed already (redelivered after a crash, or a duplicate) never reaches the consumer
        // here, so MassTransit would take it for one nobody consumes and move it to <queue>_skipped: a false dead letter.
        // It was consumed, by its earlier delivery; say so, and it is acknowledged like any other.
        if (!context.ReceiveContext.IsDelivered && !context.ReceiveContext.IsFaulted)
            await context.NotifyConsumed(context, Stopwatch.GetElapsedTime(started), "inbox");
    }

    /// <summary>One pass in one transaction; true when another pass is needed.</summary>
    private async Task<bool> Pass<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next, MessageState state)
        where T : class
    {
        db.ChangeTracker.Clear();
        if (state.JustConsumed is { } justConsumed) return await DeliverJustConsumedAsync(context, options, next, state, justConsumed);

        var cancellationToken = context.CancellationToken;
        await using var transaction = await db.Database.BeginPassTransactionAsync(cancellationToken);
        marks.PassOpened(); // other messages' "delivered" marks may now wait to ride in this transaction
        var open = true;
        IReadOnlyList<DeliveredMarks<TDbContext>.Mark> carried = [];
        try
        {
            InboxState? inbox;
            InboxInsert? waiting = null;
            if (state.TryInsert && options is SagaOutboxConsumeOptions)
            {
                // A saga's first delivery: the insert goes with the repository's load of the instance (InboxInsert).
                state.TryInsert = false;
                waiting = new InboxInsert(state.Tables, state.MessageId, state.ConsumerId, context.ExpirationTime);
                inbox = waiting.Row;
            }
            else
            {
                inbox = await LockInboxAsync(context, state, cancellationToken);
                state.FirstPass = false;
                if (inbox is null)
                {
                    // Gone between statements (the inserting transaction rolled back, or cleanup): start over.
                    open = false;
                    marks.PassAbandoned();
                    await transaction.CommitAsync(cancellationToken);
                    state.TryInsert = true;
                    return true;
                }
            }

            var consuming = inbox.Consumed is null;
            var delivering = inbox.Delivered is null;
            var outboxContext = new DbContextOutboxConsumeContext<TDbContext, T>(context, options, provider, db, inbox, state.Tables, state.Produced, marks, waiting);
            await next.Send(outboxContext);
            if (waiting is not null)
            {
                // Nothing loaded an instance (the saga pipe never reached the repository): the insert runs now.
                await waiting.RunIfPendingAsync(db.Database.PassTransaction(), cancellationToken);
                state.FirstPass = false;
            }

            await db.SaveChangesAsync(cancellationToken); // the consumer's own changes, if it left any unsaved
            open = false;
            carried = marks.PassWriting();
            var consumed = consuming && outboxContext.IsMessageConsumed;
            if (consumed) CrashPoint.Reach(CrashPoints.Consumed);
            // Its outbox rows, the inbox row, the marks it carries, and the COMMIT: one round trip.
            await outboxContext.WriteAndCommitAsync(carried, cancellationToken);
            BatchCommit.Committed(db);
            marks.PassCommitted(carried);
            if (consumed) CrashPoint.Reach(CrashPoints.ConsumedCommitted);
            if (delivering && outboxContext.IsOutboxDelivered) CrashPoint.Reach(CrashPoints.DeliveredCommitted);
            state.Produced = outboxContext.Produced;
            if (consumed && outboxContext.ContinueProcessing) state.JustConsumed = inbox;
            return outboxContext.ContinueProcessing;
        }
        catch (Exception e)
        {
            marks.PassFailed(open, carried); // the marks it carried wait again, for another pass or their owners
            try
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
            catch (Exception)
            {
                // The connection may be gone; the transaction ends with it.
            }

            db.ChangeTracker.Clear();
            if (e is InboxRowExistsException) return true; // state.TryInsert is off: the next pass locks the existing row
            throw;
        }
    }

    /// <summary>
    /// The delivery pass right after this delivery's own consuming pass committed: the produced rows are in memory, so it
    /// sends them and then marks the inbox row delivered (and deletes the rows) in one autocommitted statement, with no
    /// transaction and no row lock held while the broker confirms. The lock would only keep a concurrent duplicate of the
    /// message from sending the same rows too, and such a copy is absorbed by the receivers' inboxes (same message ids).
    /// Measured (docs/performance.md): at 30 orders/s the locked pass held a pooled connection through every publisher
    /// confirm and p99 POST → Confirmed was 1.3–3.3 s; without it, 0.09–0.28 s. If anything fails here, MassTransit's
    /// retry starts a new delivery, which finds the row consumed and delivers under the lock, as after a crash.
    /// </summary>
    private async Task<bool> DeliverJustConsumedAsync<T>(ConsumeContext<T> context, OutboxConsumeOptions options,
        IPipe<OutboxConsumeContext<T>> next, MessageState state, InboxState consumed)
        where T : class
    {
        state.JustConsumed = null;
        var outboxContext = new DbContextOutboxConsumeContext<TDbContext, T>(context, options, provider, db, consumed, state.Tables, state.Produced, marks);
        await next.Send(outboxContext);
        if (outboxContext.IsOutboxDelivered) CrashPoint.Reach(CrashPoints.DeliveredCommitted);
        return outboxContext.ContinueProcessing;
    }

    /// <summary>
    /// The message's inbox row, locked for this transaction: inserted on a first delivery (<see cref="InboxInsert"/>; the
    /// common case: one statement, and a concurrent copy waits on the unique key, then finds it committed), otherwise locked with
    /// <c>FOR UPDATE</c> and, if the consumer has still to run, written before any work so that the lock is real.
    /// Null when the row vanished between statements.
    /// </summary>
    private async Task<InboxState?> LockInboxAsync<T>(ConsumeContext<T> context, MessageState state, CancellationToken cancellationToken)
        where T : class
    {
        if (state.TryInsert)
        {
            state.TryInsert = false;
            var insert = new InboxInsert(state.Tables, state.MessageId, state.ConsumerId, context.ExpirationTime);
            if (await insert.RunAsync(db.Database.PassTransaction(), cancellationToken)) return insert.Row;
        }

        var inbox = await ReadInboxAsync(state.Tables.Sql(LockInboxSql), cancellationToken,
            new NpgsqlParameter { Value = state.MessageId }, new NpgsqlParameter { Value = state.ConsumerId });
        if (inbox is null) return null;

        var write = false;
        if (state.FirstPass)
        {
            inbox.ReceiveCount++;
            write = true;
        }

        if (inbox.Consumed is null)
        {
            inbox.LockId = NewId.NextGuid();
            write = true;
        }

        if (write)
        {
            var transaction = db.Database.PassTransaction();
            await using var update = new NpgsqlBatch(transaction.Connection, transaction) { BatchCommands = { InboxRowUpdate.Command(state.Tables, inbox) } };
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        return inbox;
    }

    /// <summary>
    /// Runs the inbox row's lock in the pass's transaction and returns the row it returned, locked and untracked
    /// (<see cref="InboxRowUpdate"/> writes what the pass changes on it), or null. The inbox statements (this one and
    /// <see cref="InboxInsert"/>) run on every received message, so they go to Npgsql directly, with positional
    /// parameters and no EF Core query pipeline:
    /// measured in the messaging benchmark (docs/performance.md), that pipeline built the SQL and its parameters again for
    /// every message. Npgsql's own tracing still sees them.
    /// </summary>
    private async Task<InboxState?> ReadInboxAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        var transaction = db.Database.PassTransaction();
        await using var command = new NpgsqlCommand(sql, transaction.Connection, transaction);
        command.Parameters.AddRange(parameters);
        InboxState? row = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                row = new InboxState
                {
                    Id = reader.GetInt64(0),
                    MessageId = reader.GetGuid(1),
                    ConsumerId = reader.GetGuid(2),
                    LockId = reader.GetGuid(3),
                    Received = reader.GetDateTime(4),
                    ReceiveCount = reader.GetInt32(5),
                    ExpirationTime = reader.IsDBNull(6) ? null : reader.GetDateTime(6),
                    Consumed = reader.IsDBNull(7) ? null : reader.GetDateTime(7),
                    Delivered = reader.IsDBNull(8) ? null : reader.GetDateTime(8),
                    LastSequenceNumber = reader.IsDBNull(9) ? null : reader.GetInt64(9),
                    RowVersion = reader.GetFieldValue<uint>(10),
                };
            }
        }

        return row;
    }

    /// <summary>What one received message's passes share.</summary>
    private sealed class MessageState(Guid messageId, Guid consumerId, MessagingTables tables)
    {
        public Guid MessageId { get; } = messageId;
        public Guid ConsumerId { get; } = consumerId;
        public MessagingTables Tables { get; } = tables;
        public bool FirstPass { get; set; } = true;
        public bool TryInsert { get; set; } = true;

        /// <summary>Outbox rows the consuming pass committed (so the delivery pass need not read them back).</summary>
        public IReadOnlyList<OutboxMessage>? Produced { get; set; }

        /// <summary>The inbox row as this delivery's consuming pass committed it, until the next pass delivers its rows.</summary>
        public InboxState? JustConsumed { get; set; }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("entityFrameworkOutboxContextFactory");
}
