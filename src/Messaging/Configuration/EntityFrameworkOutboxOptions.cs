namespace OrderSystem.Messaging.Configuration;

/// <summary>
/// Options of the EF Core outbox for one DbContext (MassTransit.EntityFrameworkCore's <c>IEntityFrameworkOutboxConfigurator</c>
/// counterpart). Set them in <c>bus.AddEntityFrameworkOutbox&lt;TDbContext&gt;(o =&gt; …)</c>; they are validated when the
/// outbox is registered.
/// </summary>
public sealed class EntityFrameworkOutboxOptions
{
    private readonly List<TimeSpan> _redeliveryIntervals = [];

    /// <summary>
    /// Fallback poll interval of the delivery service (bus outbox and scheduled messages) when nothing wakes it. Commits
    /// in this process wake it at once; this interval bounds the latency for commits made by other processes.
    /// </summary>
    public TimeSpan QueryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most messages sent per delivery transaction (bus outbox, scheduled messages).</summary>
    public int QueryMessageLimit { get; set; } = 100;

    /// <summary>Most messages a consumer outbox sends per database pass after the consumer committed.</summary>
    public int MessageDeliveryLimit { get; set; } = 100;

    /// <summary>
    /// How long an inbox row is kept after its message was delivered (or after it was first received, for a message that
    /// never completed). A duplicate arriving later than this runs the consumer again, so the window must outlast the
    /// longest retry + redelivery schedule, plus broker redelivery after a crash. Validated against
    /// <see cref="RedeliveryIntervals"/>.
    /// </summary>
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often the inbox cleanup runs.</summary>
    public TimeSpan InboxCleanupInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest pause between attempts while the database (or the broker) is unreachable.</summary>
    public TimeSpan MaxDeliveryBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When false, no delivery service runs in this process: bus-outbox and scheduled rows wait for another instance.
    /// (Tests use it to commit and "crash" before delivery.)
    /// </summary>
    public bool DeliveryServiceEnabled { get; set; } = true;

    /// <summary>When false, the inbox cleanup service does not run in this process.</summary>
    public bool InboxCleanupEnabled { get; set; } = true;

    /// <summary>Set by <see cref="UseBusOutbox"/>.</summary>
    public bool BusOutboxEnabled { get; private set; }

    /// <summary>
    /// Put the consumer outbox + inbox on every consumer and saga endpoint configured through <c>ConfigureEndpoints</c>
    /// (default). When false, add it per endpoint with <c>UseEntityFrameworkOutbox&lt;TDbContext&gt;(context)</c>.
    /// </summary>
    public bool ConsumerOutboxOnAllEndpoints { get; set; } = true;

    /// <summary>Delayed redelivery intervals applied to every endpoint (outside the outbox), scheduled through the database.</summary>
    public IReadOnlyList<TimeSpan> RedeliveryIntervals => _redeliveryIntervals;

    /// <summary>
    /// Scoped <c>IPublishEndpoint</c>/<c>ISendEndpointProvider</c>/<c>IMessageScheduler</c> outside a consumer write
    /// to the DbContext; the messages exist once the caller's <c>SaveChanges</c> commits.
    /// </summary>
    public EntityFrameworkOutboxOptions UseBusOutbox()
    {
        BusOutboxEnabled = true;
        return this;
    }

    /// <summary>
    /// Delayed redelivery through the durable scheduler on every endpoint: a message whose consumer threw (after any
    /// retries) is written back as a scheduled message due after the next interval; after the last interval it faults.
    /// </summary>
    public EntityFrameworkOutboxOptions UseScheduledRedelivery(params TimeSpan[] intervals)
    {
        _redeliveryIntervals.Clear();
        _redeliveryIntervals.AddRange(intervals);
        return this;
    }

    /// <summary>Throws when the options cannot work together.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (QueryDelay <= TimeSpan.Zero) errors.Add($"{nameof(QueryDelay)} must be positive.");
        if (QueryMessageLimit < 1) errors.Add($"{nameof(QueryMessageLimit)} must be at least 1.");
        if (MessageDeliveryLimit < 1) errors.Add($"{nameof(MessageDeliveryLimit)} must be at least 1.");
        if (InboxCleanupInterval <= TimeSpan.Zero) errors.Add($"{nameof(InboxCleanupInterval)} must be positive.");
        if (MaxDeliveryBackoff < QueryDelay) errors.Add($"{nameof(MaxDeliveryBackoff)} must be at least {nameof(QueryDelay)}.");
        if (_redeliveryIntervals.Any(i => i <= TimeSpan.Zero)) errors.Add("Redelivery intervals must be positive.");

        var redelivery = _redeliveryIntervals.Aggregate(TimeSpan.Zero, (sum, i) => sum + i);
        var minimumWindow = redelivery + QueryDelay + TimeSpan.FromMinutes(1);
        if (DuplicateDetectionWindow < minimumWindow)
        {
            errors.Add(
                $"{nameof(DuplicateDetectionWindow)} ({DuplicateDetectionWindow}) must outlast the redelivery schedule " +
                $"({redelivery}) plus a poll interval and a minute of margin: at least {minimumWindow}. A duplicate arriving " +
                "after the window would run its consumer a second time.");
        }

        if (errors.Count > 0) throw new ArgumentException("Invalid EF outbox options: " + string.Join(" ", errors));
    }
}
