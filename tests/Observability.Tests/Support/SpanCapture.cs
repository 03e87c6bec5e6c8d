using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace OrderSystem.Observability.Tests.Support;

/// <summary>
/// What the services export, kept in memory: OpenTelemetry's in-memory exporter on the tracer provider that
/// <c>AddServiceDefaults()</c> builds (so only sources the services really export are seen), plus a processor that
/// notes the service of each span when it starts (<see cref="ServiceAttribution"/>).
/// </summary>
public sealed class SpanCapture
{
    private readonly ConcurrentDictionary<ActivitySpanId, string> _services = new();

    /// <summary>Where the in-memory exporter puts finished spans (thread-safe: exports and reads overlap).</summary>
    public LockedCollection<Activity> Exported { get; } = new();

    public BaseProcessor<Activity> Attribution => new AttributionProcessor(_services);

    public IReadOnlyList<CapturedSpan> Trace(ActivityTraceId traceId)
    {
        return Exported.Snapshot().Where(a => a.TraceId == traceId)
            .Select(a => new CapturedSpan(
                _services.GetValueOrDefault(a.SpanId, "?"),
                a.Source.Name,
                a.DisplayName,
                a.Kind,
                a.SpanId,
                a.ParentSpanId,
                a.StartTimeUtc,
                a.TagObjects.ToDictionary(t => t.Key, t => t.Value?.ToString()),
                a.Links.Select(l => l.Context).ToList()))
            .ToList();
    }

    public IReadOnlyList<Activity> Where(Func<Activity, bool> predicate)
    {
        return Exported.Snapshot().Where(predicate).ToList();
    }

    private sealed class AttributionProcessor(ConcurrentDictionary<ActivitySpanId, string> services) : BaseProcessor<Activity>
    {
        public override void OnStart(Activity data)
        {
            if (ServiceAttribution.Current is { } service) services[data.SpanId] = service;
        }
    }
}

public sealed record CapturedSpan(
    string Service,
    string Source,
    string Name,
    ActivityKind Kind,
    ActivitySpanId SpanId,
    ActivitySpanId ParentSpanId,
    DateTime Start,
    IReadOnlyDictionary<string, string?> Tags,
    IReadOnlyList<ActivityContext> Links)
{
    public string? Tag(string key) => Tags.GetValueOrDefault(key);
}
