using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Puts the allowed baggage entries (<see cref="BaggageAttributeOptions"/>) on each span as attributes: at start for
/// spans that inherit the baggage from their parent, and again at the end for spans that receive it after they started
/// (MassTransit's consume span reads it from the message headers; the outbox delivery span from the stored row).
/// A span started from a parent's context alone (no parent <see cref="Activity"/> object, so no baggage: MassTransit's
/// consumer-outbox delivery starts under the already ended outbox span this way) takes the attributes of its parent
/// when that parent is one of the last <see cref="Remembered"/> spans of this process that had any.
/// Runs before the exporters, so they see the attributes.
/// </summary>
internal sealed class BaggageSpanProcessor(IOptions<BaggageAttributeOptions> options) : BaseProcessor<Activity>
{
    /// <summary>How many recent spans' attributes are kept for children that start after their parent ended.</summary>
    public const int Remembered = 4096;

    // Attributes of recent spans by span id; a ring of their ids evicts the oldest (memory stays bounded). A ring rather
    // than a ConcurrentQueue, whose Count (a consistent snapshot of its segments) this asked on every span.
    private readonly ConcurrentDictionary<ActivitySpanId, KeyValuePair<string, string>[]> _recent = new();
    private readonly ActivitySpanId[] _ring = new ActivitySpanId[Remembered];
    private readonly Lock _ringLock = new();
    private int _next;

    public override void OnStart(Activity data)
    {
        var keys = options.Value.Keys;
        if (keys.Count == 0) return;
        var copied = Copy(data, keys);
        if (copied.Length == 0 && data.ParentSpanId != default && _recent.TryGetValue(data.ParentSpanId, out var inherited))
        {
            foreach (var (key, value) in inherited) data.SetTag(key, value);
            copied = inherited;
        }

        if (copied.Length > 0) Remember(data.SpanId, copied);
    }

    public override void OnEnd(Activity data)
    {
        var keys = options.Value.Keys;
        if (keys.Count == 0) return;
        var copied = Copy(data, keys);
        if (copied.Length > 0 && !_recent.ContainsKey(data.SpanId)) Remember(data.SpanId, copied);
    }

    private void Remember(ActivitySpanId spanId, KeyValuePair<string, string>[] attributes)
    {
        if (!_recent.TryAdd(spanId, attributes)) return;
        ActivitySpanId oldest;
        lock (_ringLock)
        {
            oldest = _ring[_next];
            _ring[_next] = spanId;
            _next = (_next + 1) % Remembered;
        }

        if (oldest != default) _recent.TryRemove(oldest, out _);
    }

    /// <summary>
    /// Sets each allowed key the span's baggage holds (its own, or its nearest parent's) as an attribute, unless already
    /// set, and returns them. Asks for the few allowed keys rather than walking every baggage entry of the span and its
    /// parents: this runs twice for every span.
    /// </summary>
    private static KeyValuePair<string, string>[] Copy(Activity activity, HashSet<string> keys)
    {
        KeyValuePair<string, string>[]? copied = null;
        var count = 0;
        foreach (var key in keys)
        {
            if (activity.GetBaggageItem(key) is not { } value) continue;
            if (activity.GetTagItem(key) is null) activity.SetTag(key, value);
            copied ??= new KeyValuePair<string, string>[keys.Count];
            copied[count++] = new KeyValuePair<string, string>(key, value);
        }

        return copied is null ? [] : count == copied.Length ? copied : copied[..count];
    }
}
