using Npgsql;
using NpgsqlTypes;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.ConsumerOutbox;

/// <summary>
/// Writes an inbox row's mutable columns as the pass holds them. The inbox row is never tracked by EF Core: every pass
/// reads it with a statement that locks it (it inserted it, or selected it <c>FOR UPDATE</c>), so nothing else can change
/// it until the pass ends, and a row-version check would find nothing. <see cref="Values"/> is what the database holds,
/// so that a pass writes only when something changed.
/// </summary>
internal static class InboxRowUpdate
{
    private static string Sql(MessagingTables tables) =>
        $"UPDATE {tables.InboxState} SET lock_id = $2, receive_count = $3, consumed = $4, delivered = $5, last_sequence_number = $6 " +
        "WHERE id = $1";

    public static Values Of(InboxState row) => new(row.LockId, row.ReceiveCount, row.Consumed, row.Delivered, row.LastSequenceNumber);

    public static NpgsqlBatchCommand Command(MessagingTables tables, InboxState row) =>
        new(tables.Sql(Sql))
        {
            Parameters =
            {
                new NpgsqlParameter { Value = row.Id },
                new NpgsqlParameter { Value = row.LockId },
                new NpgsqlParameter { Value = row.ReceiveCount },
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)row.Consumed ?? DBNull.Value },
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)row.Delivered ?? DBNull.Value },
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)row.LastSequenceNumber ?? DBNull.Value },
            },
        };

    /// <summary>The mutable columns of one inbox row.</summary>
    public readonly record struct Values(Guid LockId, int ReceiveCount, DateTime? Consumed, DateTime? Delivered, long? LastSequenceNumber);
}
