namespace OrderSystem.Ordering.Backpressure;

/// <summary>
/// Configuration section <c>Ordering:Backpressure</c>: how much work may wait for the order saga before
/// <c>POST /orders</c> answers 503 (docs/order-flow.md, "Load levelling and flow control").
/// </summary>
public sealed class BackpressureOptions
{
    public const string Section = "Ordering:Backpressure";

    /// <summary>False: <c>POST /orders</c> accepts whatever waits (load levelling without a bound). Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Bound on the messages waiting for the saga: undelivered bus-outbox transactions in orderdb plus ready messages in
    /// <c>order-state</c>. Default 500: the system completes ~46 orders/s end to end, and an order makes about three
    /// saga messages, so 500 waiting is roughly 4–11 s of work ahead of a new order instead of minutes.
    /// </summary>
    public long MaxWaiting { get; set; } = 500;

    /// <summary>The <c>Retry-After</c> of a 503. Default 5 s: at ~46 orders/s a few hundred waiting messages drain by then.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);
}
