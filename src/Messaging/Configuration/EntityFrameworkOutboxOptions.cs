namespace OrderSystem.Messaging.Configuration;

/// <summary>
/// Options of the EF Core outbox for one DbContext (MassTransit.EntityFrameworkCore's <c>IEntityFrameworkOutboxConfigurator</c>
/// counterpart). Set them in <c>bus.AddEntityFrameworkOutbox&lt;TDbContext&gt;(o =&gt; …)</c>; they are validated when the
/// outbox is registered.
/// </summary>
public sealed class EntityFrameworkOutboxOptions
{
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
    /// longest retry + redelivery schedule (<see cref="EnsureDuplicateDetectionWindowCovers"/>).
    /// </summary>
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often the inbox cleanup runs.</summary>
    public TimeSpan InboxCleanupInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long the delivery service (bus outbox, scheduled messages) waits for the broker to confirm one send. A send
    /// made as the broker drops the connection can wait for its publisher confirm for ever (seen in this repository's
    /// CI; docs/reliability.md); past this time the send counts as failed, the loop backs off and sends the row again
    /// (a copy that did reach the broker is absorbed by the receiver's inbox).
    /// </summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Longest a consumed message's "delivered" mark waits for another open consuming pass of this process to carry it in
    /// its own transaction (group commit: <see cref="ConsumerOutbox.DeliveredMarks{TDbContext}"/>) before it is written on
    /// its own. Only the broker acknowledgement of that message waits; the messages it produced are already sent.
    /// </summary>
    public TimeSpan DeliveredMarkWait { get; set; } = TimeSpan.FromMilliseconds(20);

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

    /// <summary>
    /// Scoped <c>IPublishEndpoint</c>/<c>ISendEndpointProvider</c>/<c>IMessageScheduler</c> outside a consumer write
    /// to the DbContext; the messages exist once the caller's <c>SaveChanges</c> commits.
    /// </summary>
    public EntityFrameworkOutboxOptions UseBusOutbox()
    {
        BusOutboxEnabled = true;
        return this;
    }

    /// <summary>Throws when the options cannot work together.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (QueryDelay <= TimeSpan.Zero) errors.Add($"{nameof(QueryDelay)} must be positive.");
        if (SendTimeout <= TimeSpan.Zero) errors.Add($"{nameof(SendTimeout)} must be positive.");
        if (DeliveredMarkWait < TimeSpan.Zero) errors.Add($"{nameof(DeliveredMarkWait)} must not be negative.");
        if (QueryMessageLimit < 1) errors.Add($"{nameof(QueryMessageLimit)} must be at least 1.");
        if (MessageDeliveryLimit < 1) errors.Add($"{nameof(MessageDeliveryLimit)} must be at least 1.");
        if (InboxCleanupInterval <= TimeSpan.Zero) errors.Add($"{nameof(InboxCleanupInterval)} must be positive.");
        if (MaxDeliveryBackoff < QueryDelay) errors.Add($"{nameof(MaxDeliveryBackoff)} must be at least {nameof(QueryDelay)}.");
        if (WindowError(TimeSpan.Zero, "no retries") is { } windowError) errors.Add(windowError);

        if (errors.Count > 0) throw new ArgumentException("Invalid EF outbox options: " + string.Join(" ", errors));
    }

    /// <summary>
    /// The one check of <see cref="DuplicateDetectionWindow"/>: it must outlast <paramref name="schedule"/> (the longest
    /// a message can keep coming back: retries and redeliveries) plus a poll interval and a minute of margin, or a
    /// duplicate arriving after the window would run its consumer a second time. Throws <see cref="ArgumentException"/>.
    /// </summary>
    public void EnsureDuplicateDetectionWindowCovers(TimeSpan schedule, string scheduleName)
    {
        if (WindowError(schedule, scheduleName) is { } error) throw new ArgumentException(error);
    }

    private string? WindowError(TimeSpan schedule, string scheduleName)
    {
        var minimum = schedule + QueryDelay + TimeSpan.FromMinutes(1);
        return DuplicateDetectionWindow >= minimum
            ? null
            : $"{nameof(DuplicateDetectionWindow)} ({DuplicateDetectionWindow}) must outlast {scheduleName} ({schedule}) plus a poll " +
              $"interval and a minute of margin: at least {minimum}. A duplicate arriving after the window would run its consumer a second time.";
    }
}
