using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Diagnostics;
using OrderSystem.Messaging.Scheduling;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.ConsumerOutbox;

/// <summary>
/// The consume context a consumer or saga sees inside the consumer outbox: its sends, publishes and schedules become
/// outbox rows in the DbContext's open transaction, and it answers MassTransit's outbox pipe about the inbox row.
/// The inbox row and the rows sent or published are not tracked by EF Core: <see cref="WriteAsync"/> writes them in one
/// round trip at the end of the pass (scheduled rows go through EF Core, so that the bus-outbox interceptor wakes the
/// scheduler when they commit).
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
    private InboxRowUpdate.Values _stored;
    private MessageSchedulerContext? _scheduler;

    public DbContextOutboxConsumeContext(ConsumeContext<TMessage> context, OutboxConsumeOptions options, IServiceProvider provider,
        TDbContext db, InboxState inbox, MessagingTables tables, IReadOnlyList<OutboxMessage>? produced)
        : base(context, options, provider)
    {
        _db = db;
        _inbox = inbox;
        _messageId = inbox.MessageId;
        _tables = tables;
        _produced = produced;
        _stored = InboxRowUpdate.Of(inbox);
    }

    /// <summary>The outbox rows this pass added (after <see cref="WriteAsync"/> they carry their sequence numbers).</summary>
    public IReadOnlyList<OutboxMessage>? Produced => _added.Count > 0 ? _added : _produced;

    /// <summary>Marks the inbox row delivered (then deletes the message's outbox rows: <see cref="DeleteDeliveredSql"/>).</summary>
    private static string MarkDeliveredSql(MessagingTables tables) =>
        $"UPDATE {tables.InboxState} SET delivered = $1, last_sequence_number = $2 WHERE id = $3";

    private static string DeleteDeliveredSql(MessagingTables tables) =>
        $"DELETE FROM {tables.OutboxMessage} WHERE inbox_message_id = $1 AND inbox_consumer_id = $2";

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
        // One round trip, a batch of two statements: mark delivered and delete the delivered rows (the entity is then
        // detached, so the pass's final SaveChanges does not write it again). This runs once per received message that
        // produced something, so it goes to Npgsql directly (positional parameters, no EF Core raw-SQL pipeline): in the
        // pass's transaction when there is one, and as one implicit transaction right after the consuming pass otherwise.
        _inbox.Delivered = DateTime.UtcNow;
        await _db.Database.OpenConnectionAsync(CancellationToken);
        try
        {
            await using var batch = new NpgsqlBatch((NpgsqlConnection)_db.Database.GetDbConnection(),
                (NpgsqlTransaction?)_db.Database.CurrentTransaction?.GetDbTransaction())
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand(_tables.Sql(MarkDeliveredSql))
                    {
                        Parameters =
                        {
                            new NpgsqlParameter { Value = _inbox.Delivered.Value },
                            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)_inbox.LastSequenceNumber ?? DBNull.Value },
                            new NpgsqlParameter { Value = _inbox.Id },
                        },
                    },
                    new NpgsqlBatchCommand(_tables.Sql(DeleteDeliveredSql))
                    {
                        Parameters = { new NpgsqlParameter { Value = _messageId }, new NpgsqlParameter { Value = ConsumerId } },
                    },
                },
            };
            await batch.ExecuteNonQueryAsync(CancellationToken);
        }
        finally
        {
            await _db.Database.CloseConnectionAsync();
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
            _db.Set<OutboxMessage>().Add(row);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Writes what the pass changed that EF Core does not track, in the pass's transaction and one round trip: the rows
    /// the consumer sent or published (each insert returns its sequence number, in the order they were sent) and the inbox
    /// row, if its columns changed. The factory calls it after the consumer's own changes are saved, before the commit.
    /// </summary>
    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        var inserts = _added.Where(r => r.SequenceNumber == 0).ToList();
        var inboxChanged = InboxRowUpdate.Of(_inbox) != _stored;
        if (inserts.Count == 0 && !inboxChanged) return;

        var transaction = _db.Database.PassTransaction();
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction);
        foreach (var row in inserts) batch.BatchCommands.Add(OutboxMessageRows.Insert(_tables, row));
        if (inboxChanged) batch.BatchCommands.Add(InboxRowUpdate.Command(_tables, _inbox));

        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            foreach (var row in inserts)
            {
                if (!await reader.ReadAsync(cancellationToken))
                    throw new InvalidOperationException("An outbox insert returned no sequence number.");
                row.SequenceNumber = reader.GetInt64(0);
                await reader.NextResultAsync(cancellationToken);
            }
        }

        if (inboxChanged && batch.BatchCommands[^1].RecordsAffected != 1)
            throw new InvalidOperationException($"Inbox row {_inbox.Id} ({_messageId}) was not found to update.");
        _stored = InboxRowUpdate.Of(_inbox);
    }

    // Schedules made inside the consumer (a saga's Schedule/Unschedule, context.ScheduleSend) go to this transaction.
    public override bool TryGetPayload<T>(out T payload)
    {
        if (typeof(T) == typeof(MessageSchedulerContext))
        {
            payload = (T)(object)Scheduler();
            return true;
        }

        return base.TryGetPayload(out payload);
    }

    public override T GetOrAddPayload<T>(PayloadFactory<T> payloadFactory)
    {
        if (typeof(T) == typeof(MessageSchedulerContext)) return (T)(object)Scheduler();
        return base.GetOrAddPayload(payloadFactory);
    }

    public override T AddOrUpdatePayload<T>(PayloadFactory<T> addFactory, UpdatePayloadFactory<T> updateFactory)
    {
        if (typeof(T) == typeof(MessageSchedulerContext)) return (T)(object)Scheduler();
        return base.AddOrUpdatePayload(addFactory, updateFactory);
    }

    public override bool HasPayloadType(Type payloadType) =>
        payloadType == typeof(MessageSchedulerContext) || base.HasPayloadType(payloadType);

    private MessageSchedulerContext Scheduler() => _scheduler ??= new ConsumeMessageSchedulerContext(this,
        consumeContext => new MessageScheduler(new DbContextScheduleMessageProvider(consumeContext, _db),
            consumeContext.GetPayload<IBusTopology>()));
}
