using System.Diagnostics;

namespace OrderSystem.Messaging.Diagnostics;

/// <summary>
/// Carries the producing span across the database: at write time the current activity's W3C trace context and baggage
/// are stored with the outbox row; at delivery the sending activity is started as its child, so the broker send and
/// the consumer's span continue the producer's trace even when delivery happens later, elsewhere, or after a restart.
/// </summary>
internal static class TraceCarrier
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
    public const string Baggage = "baggage";

    public static void Capture(IDictionary<string, object> headers)
    {
        var activity = Activity.Current;
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C) return;
        headers[TraceParent] = activity.Id!;
        if (!string.IsNullOrEmpty(activity.TraceStateString)) headers[TraceState] = activity.TraceStateString;
        var baggage = string.Join(",", activity.Baggage.Where(b => b.Value is not null)
            .Select(b => $"{Uri.EscapeDataString(b.Key)}={Uri.EscapeDataString(b.Value!)}"));
        if (baggage.Length > 0) headers[Baggage] = baggage;
    }

    /// <summary>Starts the delivery activity under the stored parent (or null when nothing was stored).</summary>
    public static Activity? StartDelivery(string operation, IReadOnlyDictionary<string, object?> headers, string? destination)
    {
        if (!headers.TryGetValue(TraceParent, out var parentValue) || parentValue?.ToString() is not { } traceParent) return null;
        headers.TryGetValue(TraceState, out var traceState);
        if (!ActivityContext.TryParse(traceParent, traceState?.ToString(), isRemote: true, out var parent)) return null;

        var activity = MessagingTelemetry.ActivitySource.StartActivity(operation, ActivityKind.Producer, parent);
        if (activity is null)
        {
            // Nobody listens to our source: still make the stored context current, so that MassTransit's send
            // activity (and the traceparent header it writes) continue the producer's trace.
            activity = new Activity(operation);
            activity.SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags);
            activity.TraceStateString = parent.TraceState;
            activity.Start();
        }

        activity.SetTag("messaging.destination.name", destination);
        if (headers.TryGetValue(Baggage, out var baggage) && baggage?.ToString() is { Length: > 0 } items)
        {
            foreach (var item in items.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = item.IndexOf('=');
                if (eq <= 0) continue;
                activity.AddBaggage(Uri.UnescapeDataString(item[..eq].Trim()), Uri.UnescapeDataString(item[(eq + 1)..].Trim()));
            }
        }

        return activity;
    }
}
