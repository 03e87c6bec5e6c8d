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

    /// <summary>The statement's operation and first table, e.g. <c>UPDATE product</c>; the operation alone when no table is named.</summary>
    public static string For(string? sql)
    {
        if (string.IsNullOrWhiteSpace(sql)) return "postgresql";
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
