using Npgsql;
using NpgsqlTypes;

namespace OrderSystem.Messaging.Benchmarks.Flow;

/// <summary>
/// The least an exactly-once step writes: one durable transaction (one insert, synchronous commit) per consumed message
/// and per submitted order; or, <paramref name="grouped"/>, the same inserts group-committed: a step waits for the
/// transaction that carries it, and the steps that arrive while one is being written go together in the next. A run
/// without a database gets <see cref="None"/>, and its steps write nothing.
/// </summary>
public sealed class FlowTransactions(NpgsqlDataSource? dataSource, bool grouped = false)
{
    public const string CreateTable = "CREATE TABLE IF NOT EXISTS flow_steps (sequence integer NOT NULL, step text NOT NULL, PRIMARY KEY (sequence, step))";

    private readonly Lock _gate = new();
    private List<Step> _waiting = [];
    private bool _writing;
    private long _steps;
    private long _transactions;

    public static FlowTransactions None { get; } = new(null);

    public bool Enabled => dataSource is not null;

    /// <summary>Steps committed so far.</summary>
    public long Steps => Interlocked.Read(ref _steps);

    /// <summary>Transactions that committed them.</summary>
    public long Transactions => Interlocked.Read(ref _transactions);

    public Task CommitAsync(int sequence, string step, CancellationToken cancellationToken)
    {
        if (dataSource is null) return Task.CompletedTask;
        if (!grouped) return CommitAloneAsync(dataSource, sequence, step, cancellationToken);

        var waiting = new Step(sequence, step);
        bool lead;
        lock (_gate)
        {
            _waiting.Add(waiting);
            lead = !_writing;
            _writing = true;
        }

        // One writer at a time, off the consumer's own path: it takes every waiting step, commits them, and goes on while
        // more are waiting. The consumer that started it waits for its own step like the others.
        if (lead) _ = Task.Run(() => WriteWaitingAsync(dataSource));
        return waiting.Committed.Task.WaitAsync(cancellationToken);
    }

    private async Task CommitAloneAsync(NpgsqlDataSource source, int sequence, string step, CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("INSERT INTO flow_steps (sequence, step) VALUES ($1, $2)", connection, transaction)
        {
            Parameters = { new NpgsqlParameter { Value = sequence }, new NpgsqlParameter { Value = step } },
        };
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Interlocked.Increment(ref _steps);
        Interlocked.Increment(ref _transactions);
    }

    private async Task WriteWaitingAsync(NpgsqlDataSource source)
    {
        while (true)
        {
            List<Step> steps;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _writing = false;
                    return;
                }

                steps = _waiting;
                _waiting = [];
            }

            try
            {
                await using var connection = await source.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                await using var command = new NpgsqlCommand(
                    "INSERT INTO flow_steps (sequence, step) SELECT * FROM unnest($1::integer[], $2::text[])", connection, transaction)
                {
                    Parameters =
                    {
                        new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, Value = steps.Select(s => s.Sequence).ToArray() },
                        new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = steps.Select(s => s.Name).ToArray() },
                    },
                };
                await command.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
                Interlocked.Add(ref _steps, steps.Count);
                Interlocked.Increment(ref _transactions);
                foreach (var step in steps) step.Committed.TrySetResult();
            }
            catch (Exception e)
            {
                foreach (var step in steps) step.Committed.TrySetException(e);
            }
        }
    }

    private sealed class Step(int sequence, string name)
    {
        public int Sequence { get; } = sequence;
        public string Name { get; } = name;
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
