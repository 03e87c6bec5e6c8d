using Npgsql;
using NpgsqlTypes;

namespace OrderSystem.Messaging.Storage;

/// <summary>
/// Outbox rows written and read with Npgsql directly, on the paths that run for every message (the consumer outbox's
/// rows, the bus-outbox delivery pass): untracked, every mapped column in the order of <see cref="Properties"/>
/// (<see cref="MessagingTables.OutboxMessageColumns"/> takes each column's name from the model). EF Core's change
/// tracker and update pipeline cost more CPU per row than the statements themselves (docs/performance.md).
/// </summary>
internal static class OutboxMessageRows
{
    public static readonly string[] Properties =
    [
        nameof(OutboxMessage.SequenceNumber), nameof(OutboxMessage.EnqueueTime), nameof(OutboxMessage.SentTime),
        nameof(OutboxMessage.Headers), nameof(OutboxMessage.Properties), nameof(OutboxMessage.InboxMessageId),
        nameof(OutboxMessage.InboxConsumerId), nameof(OutboxMessage.OutboxId), nameof(OutboxMessage.ScheduleTokenId),
        nameof(OutboxMessage.MessageId), nameof(OutboxMessage.ContentType), nameof(OutboxMessage.MessageType),
        nameof(OutboxMessage.Body), nameof(OutboxMessage.ConversationId), nameof(OutboxMessage.CorrelationId),
        nameof(OutboxMessage.InitiatorId), nameof(OutboxMessage.RequestId), nameof(OutboxMessage.SourceAddress),
        nameof(OutboxMessage.DestinationAddress), nameof(OutboxMessage.ResponseAddress), nameof(OutboxMessage.FaultAddress),
        nameof(OutboxMessage.ExpirationTime),
    ];

    private static string InsertSql(MessagingTables tables) =>
        $"INSERT INTO {tables.OutboxMessage} ({string.Join(", ", tables.OutboxMessageColumns.Skip(1))}) " +
        $"VALUES ({string.Join(", ", Enumerable.Range(1, Properties.Length - 1).Select(i => $"${i}"))}) RETURNING {tables.OutboxMessageColumns[0]}";

    /// <summary>Inserts <paramref name="row"/> and returns its sequence number (the identity, first in <see cref="Properties"/>).</summary>
    public static NpgsqlBatchCommand Insert(MessagingTables tables, OutboxMessage row) =>
        new(tables.Sql(InsertSql))
        {
            Parameters =
            {
                Value(row.EnqueueTime, NpgsqlDbType.TimestampTz),
                Value(row.SentTime, NpgsqlDbType.TimestampTz),
                Value(row.Headers, NpgsqlDbType.Text),
                Value(row.Properties, NpgsqlDbType.Text),
                Value(row.InboxMessageId, NpgsqlDbType.Uuid),
                Value(row.InboxConsumerId, NpgsqlDbType.Uuid),
                Value(row.OutboxId, NpgsqlDbType.Uuid),
                Value(row.ScheduleTokenId, NpgsqlDbType.Uuid),
                Value(row.MessageId, NpgsqlDbType.Uuid),
                Value(row.ContentType, NpgsqlDbType.Varchar),
                Value(row.MessageType, NpgsqlDbType.Text),
                Value(row.Body, NpgsqlDbType.Text),
                Value(row.ConversationId, NpgsqlDbType.Uuid),
                Value(row.CorrelationId, NpgsqlDbType.Uuid),
                Value(row.InitiatorId, NpgsqlDbType.Uuid),
                Value(row.RequestId, NpgsqlDbType.Uuid),
                Value(row.SourceAddress, NpgsqlDbType.Varchar),
                Value(row.DestinationAddress, NpgsqlDbType.Varchar),
                Value(row.ResponseAddress, NpgsqlDbType.Varchar),
                Value(row.FaultAddress, NpgsqlDbType.Varchar),
                Value(row.ExpirationTime, NpgsqlDbType.TimestampTz),
            },
        };

    private static NpgsqlParameter Value(object? value, NpgsqlDbType type) => new() { NpgsqlDbType = type, Value = value ?? DBNull.Value };

    public static async Task<List<OutboxMessage>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<OutboxMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new OutboxMessage
            {
                SequenceNumber = reader.GetInt64(0),
                EnqueueTime = reader.IsDBNull(1) ? null : reader.GetDateTime(1),
                SentTime = reader.GetDateTime(2),
                Headers = reader.IsDBNull(3) ? null : reader.GetString(3),
                Properties = reader.IsDBNull(4) ? null : reader.GetString(4),
                InboxMessageId = reader.IsDBNull(5) ? null : reader.GetGuid(5),
                InboxConsumerId = reader.IsDBNull(6) ? null : reader.GetGuid(6),
                OutboxId = reader.IsDBNull(7) ? null : reader.GetGuid(7),
                ScheduleTokenId = reader.IsDBNull(8) ? null : reader.GetGuid(8),
                MessageId = reader.GetGuid(9),
                ContentType = reader.GetString(10),
                MessageType = reader.GetString(11),
                Body = reader.GetString(12),
                ConversationId = reader.IsDBNull(13) ? null : reader.GetGuid(13),
                CorrelationId = reader.IsDBNull(14) ? null : reader.GetGuid(14),
                InitiatorId = reader.IsDBNull(15) ? null : reader.GetGuid(15),
                RequestId = reader.IsDBNull(16) ? null : reader.GetGuid(16),
                SourceAddress = reader.IsDBNull(17) ? null : reader.GetString(17),
                DestinationAddress = reader.IsDBNull(18) ? null : reader.GetString(18),
                ResponseAddress = reader.IsDBNull(19) ? null : reader.GetString(19),
                FaultAddress = reader.IsDBNull(20) ? null : reader.GetString(20),
                ExpirationTime = reader.IsDBNull(21) ? null : reader.GetDateTime(21),
            });
        }

        return rows;
    }
}
