using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Database spans a person can read in a trace: "SELECT order_state", "INSERT outbox_message" instead of Npgsql's
/// default "postgresql" for every statement. Commands that run outside any operation (the delivery service's idle
/// polls, gauges read by the metric exporter, inbox cleanup) make no span at all: each would otherwise be a trace of
/// its own, and a busy system would drown its orders' traces in them.
/// </summary>
public static partial class DatabaseSpanNames
{
    public static void Configure(NpgsqlTracingOptionsBuilder tracing) => tracing
        .ConfigureCommandFilter(_ => Activity.Current is not null)
        .ConfigureBatchFilter(_ => Activity.Current is not null)
        .ConfigureCommandSpanNameProvider(command => For(command.CommandText))
        .ConfigureBatchSpanNameProvider(batch => batch.BatchCommands.Count == 0
            ? "postgresql"
            : string.Join(", ", batch.BatchCommands.Select(static (NpgsqlBatchCommand c) => For(c.CommandText)).Distinct()));

    /// <summary>
    /// Names already worked out, by statement text. A service runs the same few dozen statements over and over (EF Core
    /// and the messaging block reuse their SQL strings), and matching them again on every command was 0.8–1.5 % of a
    /// service's CPU under load (docs/performance.md). Bounded: statements past the limit are named without being kept.
    /// </summary>
    private static readonly ConcurrentDictionary<string, string> Known = new();

    private const int KnownLimit = 2048;
    private static int _knownCount;

    /// <summary>The statement's operation and first table, e.g. <c>UPDATE product</c>; the operation alone when no table is named.</summary>
    public static string For(string? sql)
    {
        if (string.IsNullOrWhiteSpace(sql)) return "postgresql";
        if (Known.TryGetValue(sql, out var known)) return known;
        var name = Name(sql);
        if (Volatile.Read(ref _knownCount) < KnownLimit && Known.TryAdd(sql, name)) Interlocked.Increment(ref _knownCount);
        return name;
    }

    private static string Name(string sql)
    {
        var match = Statement().Match(sql);
        if (!match.Success) return "postgresql";

        var operation = match.Groups["op"].Value.ToUpperInvariant();
        var table = operation switch
        {
            "SELECT" or "DELETE" => Table(FromTable(), sql),
            "INSERT" => Table(IntoTable(), sql),
            "UPDATE" => Table(UpdateTable(), sql),
            _ => null,
        };
        return table is null ? operation : $"{operation} {table}";
    }

    private static string? Table(Regex regex, string sql)
    {
        var match = regex.Match(sql);
        return match.Success ? match.Groups["table"].Value.Trim('"') : null;
    }

    // Skips leading comments and a WITH … clause's name; the first keyword is the operation.
    [GeneratedRegex(@"^\s*(?:--[^\n]*\n\s*)*(?<op>SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|LOCK|DO)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Statement();

    [GeneratedRegex(@"\bFROM\s+(?:ONLY\s+)?(?:""?\w+""?\.)?(?<table>""?\w+""?)", RegexOptions.IgnoreCase)]
    private static partial Regex FromTable();

    [GeneratedRegex(@"\bINTO\s+(?:""?\w+""?\.)?(?<table>""?\w+""?)", RegexOptions.IgnoreCase)]
    private static partial Regex IntoTable();

    [GeneratedRegex(@"\bUPDATE\s+(?:ONLY\s+)?(?:""?\w+""?\.)?(?<table>""?\w+""?)", RegexOptions.IgnoreCase)]
    private static partial Regex UpdateTable();
}
