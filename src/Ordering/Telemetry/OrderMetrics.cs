using System.Diagnostics.Metrics;
using OrderSystem.Ordering.Saga;

namespace OrderSystem.Ordering.Telemetry;

/// <summary>
/// The order flow's meter, <see cref="MeterName"/> (ServiceDefaults exports <c>OrderSystem.*</c>). Created through
/// <see cref="IMeterFactory"/>, so each host has its own instance (tests observe one host's meter only).
/// <list type="bullet">
/// <item><c>orders.submitted</c> (counter, {order}): orders the API accepted (after the commit; an idempotent replay of
/// the same request is not counted again);</item>
/// <item><c>orders.confirmed</c>, <c>orders.cancelled</c>, <c>orders.rejected</c> (counters, {order}): orders that
/// reached that terminal state;</item>
/// <item><c>orders.duration</c> (histogram, s, tag <c>order.outcome</c> = confirmed | cancelled | rejected): from the
/// moment the order was submitted to its terminal state.</item>
/// </list>
/// The terminal counters and the histogram are recorded only once the saga's transaction has committed
/// (<see cref="RecordOrderStateActivity"/>), so a pass that rolls back and is retried counts once.
/// </summary>
public sealed class OrderMetrics
{
    public const string MeterName = "OrderSystem.Ordering";
    public const string OutcomeTag = "order.outcome";

    private readonly Counter<long> _submitted;
    private readonly Counter<long> _confirmed;
    private readonly Counter<long> _cancelled;
    private readonly Counter<long> _rejected;
    private readonly Histogram<double> _duration;

    public OrderMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _submitted = meter.CreateCounter<long>("orders.submitted", "{order}", "Orders accepted by the API");
        _confirmed = meter.CreateCounter<long>("orders.confirmed", "{order}", "Orders confirmed (stock reserved, payment captured)");
        _cancelled = meter.CreateCounter<long>("orders.cancelled", "{order}", "Orders cancelled (payment declined, failed or timed out, or by the customer)");
        _rejected = meter.CreateCounter<long>("orders.rejected", "{order}", "Orders rejected (stock not available)");
        _duration = meter.CreateHistogram<double>("orders.duration", "s", "Time from submission to the order's terminal state",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
    }

    public void Submitted() => _submitted.Add(1);

    /// <summary>Records an order that reached <paramref name="state"/> (Confirmed, Cancelled or Rejected).</summary>
    public void Completed(string state, TimeSpan duration)
    {
        var outcome = state.ToLowerInvariant();
        var counter = state switch
        {
            OrderStateNames.Confirmed => _confirmed,
            OrderStateNames.Cancelled => _cancelled,
            OrderStateNames.Rejected => _rejected,
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Not a terminal state."),
        };
        counter.Add(1);
        _duration.Record(Math.Max(0, duration.TotalSeconds), new KeyValuePair<string, object?>(OutcomeTag, outcome));
    }
}
