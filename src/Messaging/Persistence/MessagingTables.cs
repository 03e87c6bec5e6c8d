using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace OrderSystem.Messaging.Persistence;

/// <summary>Quoted, schema-qualified names of the messaging tables as a DbContext's model maps them (for raw SQL).</summary>
internal sealed class MessagingTables
{
    private MessagingTables(string inboxState, string outboxState, string outboxMessage)
    {
        InboxState = inboxState;
        OutboxState = outboxState;
        OutboxMessage = outboxMessage;
    }

    public string InboxState { get; }
    public string OutboxState { get; }
    public string OutboxMessage { get; }

    /// <summary>Locks one inbox row (parameters @m, @c). Selects <c>xmin</c> for the row version.</summary>
    public string LockInboxSql => $"SELECT *, xmin FROM {InboxState} WHERE message_id = @m AND consumer_id = @c FOR UPDATE";

    /// <summary>
    /// Inserts the inbox row of a first delivery and returns it (parameters @m, @c, @l, @r, @e); returns nothing when the
    /// row exists. A concurrent insert of the same key waits here until the other transaction ends.
    /// </summary>
    public string InsertInboxSql =>
        $"INSERT INTO {InboxState} (message_id, consumer_id, lock_id, received, receive_count, expiration_time) " +
        "VALUES (@m, @c, @l, @r, 1, @e) ON CONFLICT (message_id, consumer_id) DO NOTHING RETURNING *, xmin";

    /// <summary>Marks an inbox row delivered and deletes its outbox rows, in one round trip (parameters @id, @d, @s, @m, @c).</summary>
    public string CompleteDeliverySql =>
        $"UPDATE {InboxState} SET delivered = @d, last_sequence_number = @s WHERE id = @id; " +
        $"DELETE FROM {OutboxMessage} WHERE inbox_message_id = @m AND inbox_consumer_id = @c";

    /// <summary>Locks the oldest bus-outbox transaction no other instance holds.</summary>
    public string LockOldestOutboxSql => $"SELECT *, xmin FROM {OutboxState} ORDER BY created LIMIT 1 FOR UPDATE SKIP LOCKED";

    /// <summary>Locks due scheduled messages no other instance holds (parameters @now, @limit).</summary>
    public string LockDueScheduledSql =>
        $"SELECT * FROM {OutboxMessage} WHERE outbox_id IS NULL AND inbox_message_id IS NULL AND enqueue_time <= @now " +
        "ORDER BY enqueue_time, sequence_number LIMIT @limit FOR UPDATE SKIP LOCKED";

    /// <summary>Deletes a batch of expired inbox rows (parameters @cutoff, @limit).</summary>
    public string DeleteExpiredInboxSql =>
        $"DELETE FROM {InboxState} WHERE id IN (SELECT id FROM {InboxState} " +
        "WHERE (delivered < @cutoff) OR (delivered IS NULL AND consumed IS NULL AND received < @cutoff) " +
        "ORDER BY received LIMIT @limit FOR UPDATE SKIP LOCKED)";

    public static MessagingTables For(DbContext db)
    {
        return new MessagingTables(Name<Persistence.InboxState>(db), Name<Persistence.OutboxState>(db), Name<Persistence.OutboxMessage>(db));
    }

    private static string Name<T>(DbContext db)
    {
        IEntityType entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException(
            $"{db.GetType().Name} does not map {typeof(T).Name}. Call modelBuilder.AddInboxStateEntity(), AddOutboxMessageEntity() " +
            "and AddOutboxStateEntity() (or AddMessagingEntities()) in its OnModelCreating.");
        var table = entity.GetTableName()!;
        var schema = entity.GetSchema();
        return schema is null ? $"\"{table}\"" : $"\"{schema}\".\"{table}\"";
    }
}
