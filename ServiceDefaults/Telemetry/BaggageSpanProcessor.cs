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

    // Attributes of recent spans by span id; the queue evicts the oldest (memory stays bounded).
    private readonly ConcurrentDictionary<ActivitySpanId, KeyValuePair<string, string>[]> _recent = new();
    private readonly ConcurrentQueue<ActivitySpanId> _order = new();

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
        _order.Enqueue(spanId);
        while (_order.Count > Remembered && _order.TryDequeue(out var oldest)) _recent.TryRemove(oldest, out _);
    }

    private static KeyValuePair<string, string>[] Copy(Activity activity, HashSet<string> keys)
    {
        List<KeyValuePair<string, string>>? copied = null;
        foreach (var (key, value) in activity.Baggage)
        {
            if (value is null || !keys.Contains(key)) continue;
            if (activity.GetTagItem(key) is null) activity.SetTag(key, value);
            (copied ??= []).Add(new KeyValuePair<string, string>(key, value));
        }

        return copied?.ToArray() ?? [];
    }
}
