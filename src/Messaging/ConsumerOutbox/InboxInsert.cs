using MassTransit;
using Npgsql;
using NpgsqlTypes;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.ConsumerOutbox;

/// <summary>
/// The insert of a first delivery's inbox row: the statement that keeps a concurrent copy of the message away from the
/// consumer (the copy's insert waits on the unique key until this transaction ends, then finds the row). The row is known
/// before the statement runs, all but its <c>id</c> and <c>xmin</c>, which the insert returns; when the row exists
/// already (a redelivery, a duplicate) the insert returns nothing and writes nothing.
/// <para>
/// A consumer's pass runs it at once, before the consumer (<see cref="RunAsync"/>). A saga's pass lets it wait for the
/// saga repository's first statement, the keyed load of the instance, and both go in one round trip
/// (<see cref="Command"/> first, then <see cref="Complete"/>): the state machine still runs only after the insert, and
/// the pass makes one round trip less. The consume context offers a waiting insert as a payload
/// (<c>TryGetPayload&lt;InboxInsert&gt;</c>); <see cref="Pending"/> says whether it has run.
/// </para>
/// </summary>
internal sealed class InboxInsert
{
    private readonly MessagingTables _tables;

    private static string Sql(MessagingTables tables) =>
        $"INSERT INTO {tables.InboxState} (message_id, consumer_id, lock_id, received, receive_count, expiration_time) " +
        "VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (message_id, consumer_id) DO NOTHING RETURNING id, xmin";

    public InboxInsert(MessagingTables tables, Guid messageId, Guid consumerId, DateTime? expirationTime)
    {
        _tables = tables;
        Row = new InboxState
        {
            MessageId = messageId,
            ConsumerId = consumerId,
            LockId = NewId.NextGuid(),
            Received = DateTime.UtcNow,
            ReceiveCount = 1,
            ExpirationTime = expirationTime?.ToUniversalTime(),
        };
    }

    /// <summary>The row as the insert writes it; <see cref="InboxState.Id"/> and the row version once it has run.</summary>
    public InboxState Row { get; }

    /// <summary>True until the insert has run and its answer has been read.</summary>
    public bool Pending { get; private set; } = true;

    /// <summary>The statement, for a batch whose first statement it is.</summary>
    public NpgsqlBatchCommand Command() =>
        new(_tables.Sql(Sql))
        {
            Parameters =
            {
                new NpgsqlParameter<Guid> { TypedValue = Row.MessageId },
                new NpgsqlParameter<Guid> { TypedValue = Row.ConsumerId },
                new NpgsqlParameter<Guid> { TypedValue = Row.LockId },
                new NpgsqlParameter<DateTime> { TypedValue = Row.Received },
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)Row.ExpirationTime ?? DBNull.Value },
            },
        };

    /// <summary>
    /// Reads the insert's answer from the reader positioned on its result: true when it inserted the row (which is then
    /// locked by this transaction until it ends).
    /// </summary>
    public async Task<bool> ReadAnswerAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        Pending = false;
        if (!await reader.ReadAsync(cancellationToken)) return false;

        Row.Id = reader.GetInt64(0);
        Row.RowVersion = reader.GetFieldValue<uint>(1);
        CrashPoint.Reach(CrashPoints.InboxInserted);
        return true;
    }

    /// <summary>
    /// For a batch that carried the insert: reads its answer, and when the row was there already gives up the pass
    /// (<see cref="InboxRowExistsException"/>): the consumer outbox rolls it back and runs the message again from the
    /// existing row, which says whether it was consumed.
    /// </summary>
    public async Task CompleteAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        if (!await ReadAnswerAsync(reader, cancellationToken)) throw new InboxRowExistsException(Row.MessageId);
    }

    /// <summary>
    /// Runs a carried insert on its own if it is still waiting (a path with no load to ride with), and gives the pass up
    /// when the row was there, as <see cref="CompleteAsync"/> does.
    /// </summary>
    public async Task RunIfPendingAsync(NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (Pending && !await RunAsync(transaction, cancellationToken)) throw new InboxRowExistsException(Row.MessageId);
    }

    /// <summary>Runs the insert on its own, in the pass's transaction: true when it inserted the row.</summary>
    public async Task<bool> RunAsync(NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction) { BatchCommands = { Command() } };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        return await ReadAnswerAsync(reader, cancellationToken);
    }
}
