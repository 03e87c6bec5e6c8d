using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Delivery;
using OrderSystem.Messaging.Diagnostics;
using OrderSystem.Messaging.Scheduling;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.ConsumerOutbox;

/// <summary>
/// The consume context a consumer or saga sees inside the consumer outbox: its sends, publishes and schedules become
/// outbox rows in the DbContext's open transaction, and it answers MassTransit's outbox pipe about the inbox row.
/// The inbox row and the rows sent, published or scheduled are not tracked by EF Core: <see cref="WriteAndCommitAsync"/>
/// writes them in one round trip at the end of the pass, and wakes the scheduler when scheduled rows commit.
/// </summary>
internal sealed class DbContextOutboxConsumeContext<TDbContext, TMessage> : OutboxConsumeContextProxy<TMessage>
    where TDbContext : DbContext
    where TMessage : class
{
    private readonly TDbContext _db;
    private readonly InboxState _inbox;
    private readonly Guid _messageId;
    private readonly MessagingTables _tables;
    private readonly IReadOnlyList<OutboxMessage>? _produced;
    private readonly List<OutboxMessage> _added = [];
    private readonly DeliveredMarks<TDbContext> _marks;
    private readonly PassCommitBatch _commitBatch = new();
    private readonly IServiceProvider _provider;
    private readonly InboxInsert? _waitingInsert;
    private InboxRowUpdate.Values _stored;
    private MessageSchedulerContext? _scheduler;

    public DbContextOutboxConsumeContext(ConsumeContext<TMessage> context, OutboxConsumeOptions options, IServiceProvider provider,
        TDbContext db, InboxState inbox, MessagingTables tables, IReadOnlyList<OutboxMessage>? produced, DeliveredMarks<TDbContext> marks,
        InboxInsert? waitingInsert = null)
        : base(context, options, provider)
    {
        _waitingInsert = waitingInsert;
        _marks = marks;
        _provider = provider;
        _db = db;
        _inbox = inbox;
        _messageId = inbox.MessageId;
        _tables = tables;
        _produced = produced;
        _stored = InboxRowUpdate.Of(inbox);
    }

    /// <summary>The outbox rows this pass added (after <see cref="WriteAndCommitAsync"/> they carry their sequence numbers).</summary>
    public IReadOnlyList<OutboxMessage>? Produced => _added.Count > 0 ? _added : _produced;

    public override bool ContinueProcessing { get; set; } = true;
    public override bool IsMessageConsumed => _inbox.Consumed.HasValue;
    public override bool IsOutboxDelivered => _inbox.Delivered.HasValue;
    public override int ReceiveCount => _inbox.ReceiveCount;
    public override long? LastSequenceNumber => _inbox.LastSequenceNumber;

    public override Task SetConsumed()
    {
        _inbox.Consumed = DateTime.UtcNow;
        if (_added.Count == 0)
        {
            // Nothing to deliver: the pass that consumed also completes the message (one transaction, not three).
            _inbox.Delivered = _inbox.Consumed;
            ContinueProcessing = false;
        }

        return Task.CompletedTask;
    }

    public override async Task SetDelivered()
    {
        // Mark the inbox row delivered and delete the sent rows. Under a later delivery's row lock, in that pass's
        // transaction; right after the consuming pass (no transaction), as a mark that another open pass of this process
        // carries in its batch, or that is written on its own (DeliveredMarks: group commit). Either way it is committed
        // before this returns, and so before the broker delivery is acknowledged.
        _inbox.Delivered = DateTime.UtcNow;
        var mark = new DeliveredMarks<TDbContext>.Mark(_inbox.Id, _messageId, ConsumerId, _inbox.Delivered.Value, _inbox.LastSequenceNumber);
        if (_db.Database.CurrentTransaction is null)
        {
            await _marks.WriteAsync(_db, _tables, mark, CancellationToken);
        }
        else
        {
            var transaction = _db.Database.PassTransaction();
            await DeliveredMarks<TDbContext>.ExecuteAsync(transaction.Connection!, transaction, _tables, [mark], CancellationToken);
        }

        CrashPoint.Reach(CrashPoints.Delivered);
        _stored = InboxRowUpdate.Of(_inbox);
        ContinueProcessing = false;
    }

    public override async Task<List<OutboxMessageContext>> LoadOutboxMessages()
    {
        // Right after the consuming pass committed, under this pass's row lock, nothing can have changed its rows:
        // use them as written instead of reading them back.
        if (_produced is { Count: > 0 } && _inbox.LastSequenceNumber is null && _produced.Count <= Options.MessageDeliveryLimit)
            return _produced.OrderBy(m => m.SequenceNumber).Select(r => (OutboxMessageContext)new StoredOutboxMessage(r)).ToList();

        var last = _inbox.LastSequenceNumber ?? 0;
        var rows = await _db.Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.InboxMessageId == _messageId && m.InboxConsumerId == ConsumerId && m.SequenceNumber > last)
            .OrderBy(m => m.SequenceNumber)
            .Take(Options.MessageDeliveryLimit + 1)
            .ToListAsync(CancellationToken);
        return rows.Select(r => (OutboxMessageContext)new StoredOutboxMessage(r)).ToList();
    }

    public override Task NotifyOutboxMessageDelivered(OutboxMessageContext message)
    {
        CrashPoint.Reach(CrashPoints.ConsumerMessageSent);
        _inbox.LastSequenceNumber = message.SequenceNumber;
        MessagingTelemetry.Delivered.Add(1, new KeyValuePair<string, object?>("outbox", "consumer"));
        return Task.CompletedTask;
    }

    public override async Task RemoveOutboxMessages()
    {
        await _db.Set<OutboxMessage>()
            .Where(m => m.InboxMessageId == _messageId && m.InboxConsumerId == ConsumerId)
            .ExecuteDeleteAsync(CancellationToken);
    }

    public override Task AddSend<T>(SendContext<T> context)
    {
        var row = OutboxMessageFactory.Create(context);
        if (row.EnqueueTime is null)
        {
            row.InboxMessageId = _messageId;
            row.InboxConsumerId = ConsumerId;
            _added.Add(row);
        }
        else
        {
            _commitBatch.AddScheduled(row);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Writes what the pass changed that EF Core does not track and commits the pass's transaction, in one round trip: the
    /// rows the consumer sent or published (each insert returns its sequence number, in the order they were sent), the
    /// inbox row if its columns changed, the "delivered" marks of other messages this pass carries
    /// (<see cref="DeliveredMarks{TDbContext}"/>), the writes handed to the pass's commit batch (<see cref="PassCommitBatch"/>:
    /// a saga's row, a cancelled schedule, a consumer's <see cref="WriteAtCommitExtensions.WriteAtCommit"/>), and
    /// <c>COMMIT</c> (<see cref="BatchCommit"/>). The factory calls it
    /// after the consumer's own changes are saved; when it returns, the transaction is committed.
    /// </summary>
    public async Task WriteAndCommitAsync(IReadOnlyList<DeliveredMarks<TDbContext>.Mark> carried, CancellationToken cancellationToken)
    {
        var inserts = _added.Where(r => r.SequenceNumber == 0).ToList();
        var inboxChanged = InboxRowUpdate.Of(_inbox) != _stored;

        var transaction = _db.Database.PassTransaction();
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction);
        foreach (var row in inserts) batch.BatchCommands.Add(OutboxMessageRows.Insert(_tables, row));
        foreach (var row in _commitBatch.Scheduled) batch.BatchCommands.Add(OutboxMessageRows.Insert(_tables, row));
        var inboxUpdate = inboxChanged ? InboxRowUpdate.Command(_tables, _inbox) : null;
        if (inboxUpdate is not null) batch.BatchCommands.Add(inboxUpdate);
        if (carried.Count > 0)
        {
            foreach (var command in DeliveredMarks<TDbContext>.Commands(_tables, carried)) batch.BatchCommands.Add(command);
        }

        _commitBatch.AppendTo(batch); // last before COMMIT: a row other passes wait for is locked for the least time
        BatchCommit.AddTo(batch);
        if (_commitBatch.Scheduled.Count > 0)
        {
            // As the bus-outbox interceptor does for rows saved through EF Core: once they commit, the scheduler looks again.
            var due = DateTime.SpecifyKind(_commitBatch.Scheduled.Min(r => r.EnqueueTime!.Value), DateTimeKind.Utc);
            var notification = _provider.GetRequiredService<BusOutboxNotification<TDbContext>>();
            AfterCommit.Run(_db, () => notification.NotifyScheduled(due));
        }

        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            foreach (var row in inserts)
            {
                if (!await reader.ReadAsync(cancellationToken))
                    throw new InvalidOperationException("An outbox insert returned no sequence number.");
                row.SequenceNumber = reader.GetInt64(0);
                await reader.NextResultAsync(cancellationToken);
            }

            while (await reader.NextResultAsync(cancellationToken))
            {
                // the rest returns no rows; reading on surfaces a failure of any statement here, inside the pass
            }
        }

        _commitBatch.CheckRowCounts();

        if (inboxUpdate is not null && inboxUpdate.RecordsAffected != 1)
            throw new InvalidOperationException($"Inbox row {_inbox.Id} ({_messageId}) was not found to update.");
        _stored = InboxRowUpdate.Of(_inbox);
    }

    /// <summary>
    /// A saga's pass whose carried inbox insert found the row (<see cref="InboxRowExistsException"/>) is not a fault: the
    /// factory starts the pass again. MassTransit's saga filter reports every exception it sees; this one stops here, so
    /// that no Fault is published and the delivery is not marked faulted.
    /// </summary>
    public override Task NotifyFaulted<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) =>
        exception is InboxRowExistsException ? Task.CompletedTask : base.NotifyFaulted(context, duration, consumerType, exception);

    // Schedules made inside the consumer (a saga's Schedule/Unschedule, context.ScheduleSend) go to this transaction.
    // The pass's commit batch is offered the same way, to the saga repository and the scheduler, and so is a saga's
    // inbox insert while it waits for the repository's first statement.
    public override bool TryGetPayload<T>(out T payload)
    {
        if (typeof(T) == typeof(InboxInsert) && _waitingInsert is { Pending: true })
        {
            payload = (T)(object)_waitingInsert;
            return true;
        }

        if (typeof(T) == typeof(MessageSchedulerContext))
        {
            payload = (T)(object)Scheduler();
            return true;
        }

        if (typeof(T) == typeof(PassCommitBatch))
        {
            payload = (T)(object)_commitBatch;
            return true;
        }

        return base.TryGetPayload(out payload);
    }

    public override T GetOrAddPayload<T>(PayloadFactory<T> payloadFactory)
    {
        if (typeof(T) == typeof(MessageSchedulerContext)) return (T)(object)Scheduler();
        if (typeof(T) == typeof(PassCommitBatch)) return (T)(object)_commitBatch;
        return base.GetOrAddPayload(payloadFactory);
    }

    public override T AddOrUpdatePayload<T>(PayloadFactory<T> addFactory, UpdatePayloadFactory<T> updateFactory)
    {
        if (typeof(T) == typeof(MessageSchedulerContext)) return (T)(object)Scheduler();
        if (typeof(T) == typeof(PassCommitBatch)) return (T)(object)_commitBatch;
        return base.AddOrUpdatePayload(addFactory, updateFactory);
    }

    public override bool HasPayloadType(Type payloadType) =>
        payloadType == typeof(MessageSchedulerContext) || payloadType == typeof(PassCommitBatch) || base.HasPayloadType(payloadType);

    private MessageSchedulerContext Scheduler() => _scheduler ??= new ConsumeMessageSchedulerContext(this,
        consumeContext => new MessageScheduler(new DbContextScheduleMessageProvider(consumeContext, _db, _commitBatch),
            consumeContext.GetPayload<IBusTopology>()));
}
