using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Logs;

namespace OrderSystem.Observability.Tests.Support;

/// <summary>
/// The log records the services export over OpenTelemetry, copied as they are emitted (the SDK reuses its
/// <see cref="LogRecord"/> objects). Loggers are per host, so each host's processor knows its service.
/// </summary>
public sealed class LogCapture
{
    private readonly ConcurrentQueue<CapturedLog> _logs = new();

    public IReadOnlyList<CapturedLog> All => _logs.ToArray();

    public BaseProcessor<LogRecord> For(string service) => new Processor(service, _logs);

    private sealed class Processor(string service, ConcurrentQueue<CapturedLog> logs) : BaseProcessor<LogRecord>
    {
        public override void OnEnd(LogRecord data)
        {
            var attributes = new Dictionary<string, string?>();
            foreach (var (key, value) in data.Attributes ?? []) attributes[key] = value?.ToString();
            var scopes = new List<string>();
            data.ForEachScope((scope, list) =>
            {
                foreach (var (key, value) in scope) list.Add($"{key}={value}");
            }, scopes);
            logs.Enqueue(new CapturedLog(service, data.CategoryName ?? "", data.TraceId, data.FormattedMessage ?? "", attributes, scopes,
                data.Exception?.ToString()));
        }
    }
}

public sealed record CapturedLog(
    string Service,
    string Category,
    ActivityTraceId TraceId,
    string Message,
    IReadOnlyDictionary<string, string?> Attributes,
    IReadOnlyList<string> Scopes,
    string? Exception)
{
    /// <summary>Everything the record exports as text.</summary>
    public string Text => string.Join("\n", [Category, Message, .. Attributes.Select(a => $"{a.Key}={a.Value}"), .. Scopes, Exception ?? ""]);
}
