using Npgsql;

namespace OrderSystem.Messaging.Benchmarks.Flow;

/// <summary>
/// The least an exactly-once step writes: one durable transaction (one insert, synchronous commit) per consumed message
/// and per submitted order. A run without a database gets <see cref="None"/>, and its steps write nothing.
/// </summary>
public sealed class FlowTransactions(NpgsqlDataSource? dataSource)
{
    public const string CreateTable = "CREATE TABLE IF NOT EXISTS flow_steps (sequence integer NOT NULL, step text NOT NULL, PRIMARY KEY (sequence, step))";

    public static FlowTransactions None { get; } = new(null);

    public bool Enabled => dataSource is not null;

    public async Task CommitAsync(int sequence, string step, CancellationToken cancellationToken)
    {
        if (dataSource is null) return;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("INSERT INTO flow_steps (sequence, step) VALUES ($1, $2)", connection, transaction)
        {
            Parameters = { new NpgsqlParameter { Value = sequence }, new NpgsqlParameter { Value = step } },
        };
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
