namespace OrderSystem.Messaging.FailureHandling;

/// <summary>
/// The numbers of the failure policy, from configuration section <c>Messaging:FailureHandling</c> (environment:
/// <c>Messaging__FailureHandling__RedeliveryIntervals__0=00:00:05</c>, …). Every endpoint that calls
/// <see cref="FailurePolicyExtensions.UseFailurePolicy{TDbContext}"/> uses them; the defaults are the production values.
/// </summary>
public sealed class FailureHandlingOptions
{
    public const string Section = "Messaging:FailureHandling";

    /// <summary>The production redelivery schedule: 5 s, 30 s, 2 min.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRedeliveryIntervals = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)];

    /// <summary>Immediate retries after the first attempt (0 = none). Default 5.</summary>
    public int ImmediateRetryLimit { get; set; } = 5;

    /// <summary>First back-off of the immediate retries. Default 50 ms.</summary>
    public TimeSpan ImmediateRetryMinInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest back-off of the immediate retries. Default 2 s.</summary>
    public TimeSpan ImmediateRetryMaxInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Growth step of the exponential back-off (MassTransit's <c>intervalDelta</c>). Default 100 ms.</summary>
    public TimeSpan ImmediateRetryIntervalDelta { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Delayed redelivery through the durable scheduler after the immediate retries are used up. Null or empty: the
    /// production schedule <see cref="DefaultRedeliveryIntervals"/>. (An array, not a list with defaults: the
    /// configuration binder would append to a pre-filled list.)
    /// </summary>
    public TimeSpan[]? RedeliveryIntervals { get; set; }

    /// <summary>False switches delayed redelivery off (immediate retries only).</summary>
    public bool RedeliveryEnabled { get; set; } = true;

    /// <summary>
    /// How long a delayed redelivery keeps trying to write itself to the durable scheduler while the database is
    /// unreachable (often the very outage that made the consumer fail), holding the broker delivery meanwhile: until the
    /// redelivery is due, and at least this long. A database outage shorter than this faults nothing; a longer one
    /// faults the message to <c>&lt;queue&gt;_error</c>. Default 1 min (a PostgreSQL restart on a loaded machine took 15 s
    /// in the chaos suite, longer than the first redelivery interval).
    /// </summary>
    public TimeSpan RedeliveryWriteHold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The schedule in force.</summary>
    public IReadOnlyList<TimeSpan> EffectiveRedeliveryIntervals =>
        !RedeliveryEnabled ? [] : RedeliveryIntervals is { Length: > 0 } configured ? configured : DefaultRedeliveryIntervals;

    /// <summary>Upper bound of the time the immediate retries of one delivery can take (every back-off at its maximum).</summary>
    public TimeSpan ImmediateRetryWindow => ImmediateRetryMaxInterval * ImmediateRetryLimit;

    /// <summary>
    /// How long one message can keep coming back: every redelivery interval, and every round of immediate retries at its
    /// longest. The consumer outbox's duplicate-detection window must outlast it.
    /// </summary>
    public TimeSpan RetrySchedule =>
        EffectiveRedeliveryIntervals.Aggregate(TimeSpan.Zero, (sum, i) => sum + i) + ImmediateRetryWindow * (EffectiveRedeliveryIntervals.Count + 1);

    /// <summary>Throws when the numbers cannot work.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (ImmediateRetryLimit < 0) errors.Add($"{nameof(ImmediateRetryLimit)} must not be negative.");
        if (ImmediateRetryMinInterval < TimeSpan.Zero) errors.Add($"{nameof(ImmediateRetryMinInterval)} must not be negative.");
        if (ImmediateRetryMaxInterval < ImmediateRetryMinInterval)
            errors.Add($"{nameof(ImmediateRetryMaxInterval)} must be at least {nameof(ImmediateRetryMinInterval)}.");
        if (ImmediateRetryIntervalDelta < TimeSpan.Zero) errors.Add($"{nameof(ImmediateRetryIntervalDelta)} must not be negative.");
        if (EffectiveRedeliveryIntervals.Any(i => i <= TimeSpan.Zero)) errors.Add("Redelivery intervals must be positive.");
        if (RedeliveryWriteHold < TimeSpan.Zero) errors.Add($"{nameof(RedeliveryWriteHold)} must not be negative.");
        if (errors.Count > 0) throw new ArgumentException($"Invalid {Section} options: " + string.Join(" ", errors));
    }
}
