using System.Diagnostics.Metrics;
using OrderSystem.Messaging.Diagnostics;

namespace OrderSystem.FailureHandling.Tests.Support;

/// <summary>
/// A <see cref="MeterListener"/> on the building block's meter: the raw measurements the instruments record, in this
/// process, before any OpenTelemetry view or aggregation. That an exporter receives them is a separate claim, tested
/// through OTLP in AppHost.Tests (Telemetry_Specs).
/// </summary>
public sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = [];

    public MetricsRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MessagingTelemetry.Name) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var tagMap = new Dictionary<string, object?>();
            foreach (var tag in tags) tagMap[tag.Key] = tag.Value;
            lock (_measurements) _measurements.Add((instrument.Name, value, tagMap));
        });
        _listener.Start();
    }

    /// <summary>Sum of a counter's increments whose tags include every pair of <paramref name="tags"/>.</summary>
    public long Sum(string instrument, params (string Key, string Value)[] tags)
    {
        lock (_measurements) return Matching(instrument, tags).Sum(m => m.Value);
    }

    /// <summary>The gauge's current value for these tags (collects the observable instruments now); null when not reported.</summary>
    public long? Observe(string instrument, params (string Key, string Value)[] tags)
    {
        lock (_measurements) _measurements.RemoveAll(m => m.Instrument == instrument);
        _listener.RecordObservableInstruments();
        lock (_measurements) return Matching(instrument, tags).Select(m => (long?)m.Value).LastOrDefault();
    }

    private IEnumerable<(string Instrument, long Value, Dictionary<string, object?> Tags)> Matching(string instrument, (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key)?.ToString(), t.Value)));

    /// <summary>Every measurement of <paramref name="instrument"/> seen, for failure messages.</summary>
    public string Describe(string instrument)
    {
        lock (_measurements)
            return string.Join(" | ", _measurements.Where(m => m.Instrument == instrument)
                .Select(m => $"{m.Value} {{{string.Join(", ", m.Tags.Select(t => $"{t.Key}={t.Value}"))}}}"));
    }

    public void Dispose() => _listener.Dispose();
}
