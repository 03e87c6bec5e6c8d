using System.Diagnostics;
using Npgsql;
using OrderSystem.SystemProcesses.Console;

namespace OrderSystem.Chaos.Run;

/// <summary>
/// Which accepted orders are not terminal yet, read from Ordering's database (the saga's table): an order is terminal
/// once its saga is Confirmed, Rejected or Cancelled. Queries that fail (the database is down) are retried until the deadline.
/// </summary>
public sealed class OrderBacklog(NpgsqlDataSource orderdb)
{
    public static readonly string[] TerminalStates = ["Confirmed", "Rejected", "Cancelled"];

    /// <summary>The orders of @ids that have no saga row or one in a state that is not terminal.</summary>
    private const string NotTerminal =
        "FROM unnest(@ids) AS o(id) LEFT JOIN order_states s ON s.correlation_id = o.id " +
        "WHERE s.current_state IS NULL OR NOT (s.current_state = ANY(@terminal))";

    /// <summary>How many of <paramref name="ids"/> are not terminal.</summary>
    public async Task<int> PendingAsync(IReadOnlyList<Guid> ids, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var command = Command($"SELECT count(*) {NotTerminal}", ids);
                return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && watch.Elapsed < timeout && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(1000, cancellationToken);
            }
        }
    }

    /// <summary>Polls until every order of <paramref name="ids"/> is terminal; false when the deadline passes first.</summary>
    public async Task<bool> DrainAsync(IReadOnlyList<Guid> ids, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            var pending = await PendingAsync(ids, timeout - watch.Elapsed, cancellationToken);
            if (pending == 0) return true;
            Progress.Line($"draining: {pending} of {ids.Count} orders not terminal ({watch.Elapsed.TotalSeconds:F0} s)");
            await Task.Delay(500, cancellationToken);
        }

        return false;
    }

    /// <summary>Up to <paramref name="limit"/> of <paramref name="ids"/> that are not terminal, each with its saga's state (none: no saga row).</summary>
    public async Task<IReadOnlyList<(Guid Id, string? State)>> NotTerminalAsync(IReadOnlyList<Guid> ids, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = Command($"SELECT o.id, s.current_state {NotTerminal} ORDER BY o.id LIMIT @limit", ids);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var found = new List<(Guid, string?)>();
        while (await reader.ReadAsync(cancellationToken)) found.Add((reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        return found;
    }

    private NpgsqlCommand Command(string sql, IReadOnlyList<Guid> ids)
    {
        var command = orderdb.CreateCommand(sql);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        command.Parameters.AddWithValue("terminal", TerminalStates);
        return command;
    }
}
