using System.Data;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OrderSystem.Messaging.Persistence;

namespace OrderSystem.Messaging.Outbox;

/// <summary>
/// The consumer outbox + inbox for one received message, on the consume scope's <typeparamref name="TDbContext"/>.
/// Each pass is one READ COMMITTED transaction on that DbContext:
/// <list type="number">
/// <item>first pass: <c>INSERT … ON CONFLICT DO NOTHING RETURNING</c> the inbox row; inserted = first delivery, and the
/// row is ours until commit (a concurrent copy waits on the unique key, then finds it committed);</item>
/// <item>otherwise lock the existing row (<c>SELECT … FOR UPDATE</c>) and, if the consumer has still to run, write it
/// (new lock id, receive count) before any work, so the lock is real;</item>
/// <item>not consumed yet: run the consumer/saga (it may call <c>SaveChanges</c>; its sends become outbox rows), mark
/// consumed, save, commit: business change, outbox rows and inbox state commit together;</item>
/// <item>consumed, not delivered: send its outbox rows in sequence order, record progress, mark delivered and delete
/// them in one statement batch, commit; a duplicate of a delivered message is acknowledged without reaching the consumer.
/// A consumer that produced nothing is marked delivered in the consuming pass (one transaction per message).</item>
/// </list>
/// A saga repository or consumer that resolves the same scoped DbContext sees <c>Database.CurrentTransaction</c> set:
/// it must use it (call <c>SaveChanges</c>, never commit); this factory commits.
/// </summary>
public sealed class DbContextOutboxContextFactory<TDbContext>(TDbContext db, IServiceProvider provider) : IOutboxContextFactory<TDbContext>
    where TDbContext : DbContext
{
    public async Task Send<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next)
        where T : class
    {
        var messageId = context.GetOriginalMessageId()
            ?? throw new MessageException(typeof(T), "The consumer outbox needs a MessageId on every received message.");
        var state = new MessageState(messageId, MessagingTables.For(db));

        var continueProcessing = true;
        while (continueProcessing)
        {
            var strategy = db.Database.CreateExecutionStrategy();
            continueProcessing = await strategy.ExecuteAsync(() => Pass(context, options, next, state));
            state.FirstPass = false;
        }
    }

    private async Task<bool> Pass<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next, MessageState state)
        where T : class
    {
        db.ChangeTracker.Clear();
        var cancellationToken = context.CancellationToken;
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        try
        {
            InboxState? inbox = null;
            if (state.TryInsert)
            {
                // First delivery (the common case): one statement inserts the row, which stays ours until commit. A
                // concurrent copy of the message waits on the unique key here, then finds the row committed.
                inbox = (await db.Set<InboxState>()
                    .FromSqlRaw(state.Tables.InsertInboxSql,
                        new NpgsqlParameter("m", state.MessageId), new NpgsqlParameter("c", options.ConsumerId),
                        new NpgsqlParameter("l", NewId.NextGuid()), new NpgsqlParameter("r", DateTime.UtcNow),
                        new NpgsqlParameter("e", (object?)context.ExpirationTime?.ToUniversalTime() ?? DBNull.Value))
                    .AsTracking()
                    .ToListAsync(cancellationToken)).SingleOrDefault();
                state.TryInsert = false;
            }

            if (inbox is null)
            {
                inbox = (await db.Set<InboxState>()
                    .FromSqlRaw(state.Tables.LockInboxSql, new NpgsqlParameter("m", state.MessageId), new NpgsqlParameter("c", options.ConsumerId))
                    .AsTracking()
                    .ToListAsync(cancellationToken)).SingleOrDefault();
                if (inbox is null)
                {
                    // Gone between statements (the inserting transaction rolled back, or cleanup): start over.
                    await transaction.CommitAsync(cancellationToken);
                    state.TryInsert = true;
                    return true;
                }

                var write = false;
                if (state.FirstPass)
                {
                    inbox.ReceiveCount++;
                    write = true;
                }

                if (inbox.Consumed is null)
                {
                    // About to run the consumer: write the row first, so that the lock is real.
                    inbox.LockId = NewId.NextGuid();
                    write = true;
                }

                if (write) await db.SaveChangesAsync(cancellationToken);
            }

            var outboxContext = new DbContextOutboxConsumeContext<TDbContext, T>(context, options, provider, db, inbox, state.Tables, state.Produced);
            await next.Send(outboxContext);

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            state.Produced = outboxContext.Produced;
            return outboxContext.ContinueProcessing;
        }
        catch
        {
            try
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
            catch (Exception)
            {
                // The connection may be gone; the transaction ends with it.
            }

            db.ChangeTracker.Clear();
            throw;
        }
    }

    /// <summary>What one received message's passes share.</summary>
    private sealed class MessageState(Guid messageId, MessagingTables tables)
    {
        public Guid MessageId { get; } = messageId;
        public MessagingTables Tables { get; } = tables;
        public bool FirstPass { get; set; } = true;
        public bool TryInsert { get; set; } = true;

        /// <summary>Outbox rows the consuming pass committed (so the delivery pass need not read them back).</summary>
        public IReadOnlyList<OutboxMessage>? Produced { get; set; }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("entityFrameworkOutboxContextFactory");
}
