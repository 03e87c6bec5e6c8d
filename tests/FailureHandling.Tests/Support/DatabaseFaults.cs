using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OrderSystem.FailureHandling.Tests.Support;

/// <summary>
/// Test-only fault injection into the service's real DbContext (an EF Core command interceptor registered in the hosted
/// service's container): a rule matches commands by their SQL and by a parameter value (e.g. the order id), and throws
/// the exception a real failure would produce, before the command reaches PostgreSQL. It also counts the matching
/// commands it saw, failed or not, so a test can tell how often the consumer really ran.
/// </summary>
public sealed class DatabaseFaults : DbCommandInterceptor
{
    private readonly List<Rule> _rules = [];
    private readonly List<(string Sql, object? Value)> _seen = [];

    /// <summary>Commands whose SQL contains <paramref name="sql"/> and that carry <paramref name="parameterValue"/> fail with <paramref name="fault"/> (the first <paramref name="times"/> only, when given).</summary>
    public Rule Fail(string sql, object parameterValue, Func<Exception> fault, int? times = null)
    {
        var rule = new Rule(sql, parameterValue, fault, times);
        lock (_rules) _rules.Add(rule);
        return rule;
    }

    /// <summary>Stops a rule (the "cause is fixed").</summary>
    public void Clear(Rule rule)
    {
        lock (_rules) _rules.Remove(rule);
    }

    /// <summary>How many commands containing <paramref name="sql"/> and carrying <paramref name="parameterValue"/> were executed or failed here.</summary>
    public int Seen(string sql, object parameterValue)
    {
        lock (_seen) return _seen.Count(s => s.Sql.Contains(sql, StringComparison.OrdinalIgnoreCase) && Equals(s.Value, parameterValue));
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Check(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Check(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Check(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Check(command);
        return ValueTask.FromResult(result);
    }

    private void Check(DbCommand command)
    {
        var values = command.Parameters.Cast<DbParameter>().Select(p => p.Value).ToList();
        lock (_seen)
        {
            foreach (var value in values.Distinct()) _seen.Add((command.CommandText, value));
        }

        Rule? matched;
        lock (_rules)
        {
            matched = _rules.FirstOrDefault(r => command.CommandText.Contains(r.Sql, StringComparison.OrdinalIgnoreCase) && values.Contains(r.ParameterValue)
                                                 && (r.Times is null || r.Thrown < r.Times));
            if (matched is not null) matched.Thrown++;
        }

        if (matched is not null) throw matched.Fault();
    }

    public sealed class Rule(string sql, object parameterValue, Func<Exception> fault, int? times)
    {
        public string Sql { get; } = sql;
        public object ParameterValue { get; } = parameterValue;
        public Func<Exception> Fault { get; } = fault;
        public int? Times { get; } = times;

        /// <summary>How often this rule has thrown.</summary>
        public int Thrown { get; set; }
    }
}
