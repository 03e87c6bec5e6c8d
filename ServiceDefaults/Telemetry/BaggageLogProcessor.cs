using System.Diagnostics;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Adds the allowed baggage entries of the current span (<see cref="BaggageAttributeOptions"/>) to each log record, next
/// to the trace and span ids OpenTelemetry already records: every log line written while a message of an order is
/// handled carries <c>order.id</c>, without a log scope in each consumer.
/// </summary>
internal sealed class BaggageLogProcessor(IOptions<BaggageAttributeOptions> options) : BaseProcessor<LogRecord>
{
    public override void OnEnd(LogRecord data)
    {
        var keys = options.Value.Keys;
        if (keys.Count == 0 || Activity.Current is not { } activity) return;

        List<KeyValuePair<string, object?>>? added = null;
        foreach (var (key, value) in activity.Baggage)
        {
            if (value is null || !keys.Contains(key)) continue;
            if (data.Attributes?.Any(a => a.Key == key) == true) continue;
            (added ??= []).Add(new KeyValuePair<string, object?>(key, value));
        }

        if (added is not null) data.Attributes = [.. data.Attributes ?? [], .. added];
    }
}
