using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrderSystem.Messaging.Diagnostics;

/// <summary>
/// The building block's activity source and meter, both named <see cref="Name"/> (ServiceDefaults exports
/// <c>OrderSystem.*</c>): the delivered-messages counter and the backlog gauges the delivery service refreshes
/// (docs/messaging.md, "Tracing and metrics").
/// </summary>
public static class MessagingTelemetry
{
    public const string Name = "OrderSystem.Messaging";

    public static readonly ActivitySource ActivitySource = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Delivered =
        Meter.CreateCounter<long>("messaging.outbox.delivered", "{message}", "Outbox messages handed to the broker");

    public static readonly Counter<long> DeliveredMarks =
        Meter.CreateCounter<long>("messaging.inbox.delivered_marks", "{mark}",
            "Inbox rows marked delivered after their produced messages were sent; written_by: pass (carried in another message's transaction) or owner");

    private static readonly Dictionary<SnapshotKey, BacklogSnapshot> Snapshots = [];

    static MessagingTelemetry()
    {
        Meter.CreateObservableGauge("messaging.outbox.backlog", () => Observe(s => (double)s.OutboxBacklog), "{transaction}",
            "Committed bus-outbox transactions waiting for delivery");
        Meter.CreateObservableGauge("messaging.outbox.oldest_age", () => Observe(s => s.OldestOutboxAge?.TotalSeconds ?? 0), "s",
            "Age of the oldest undelivered bus-outbox transaction");
        Meter.CreateObservableGauge("messaging.scheduler.pending", () => Observe(s => (double)s.ScheduledPending), "{message}",
            "Scheduled messages not yet sent");
        Meter.CreateObservableGauge("messaging.scheduler.next_due", () => Observe(s => s.NextDueIn?.TotalSeconds ?? 0), "s",
            "Time until the next scheduled message is due");
    }

    /// <summary>Latest backlog figures for one DbContext, as measured by its delivery service.</summary>
    public static void Report(SnapshotKey key, BacklogSnapshot snapshot)
    {
        lock (Snapshots) Snapshots[key] = snapshot;
    }

    public static SnapshotKey Key(string dbContext, string database) => new(dbContext, database);

    /// <summary>Latest figures reported for a DbContext (null before the first round).</summary>
    public static BacklogSnapshot? Latest(SnapshotKey key)
    {
        lock (Snapshots) return Snapshots.GetValueOrDefault(key);
    }

    private static IEnumerable<Measurement<double>> Observe(Func<BacklogSnapshot, double> value)
    {
        KeyValuePair<SnapshotKey, BacklogSnapshot>[] all;
        lock (Snapshots) all = Snapshots.ToArray();
        foreach (var (key, snapshot) in all)
        {
            yield return new Measurement<double>(value(snapshot),
                new KeyValuePair<string, object?>("db_context", key.DbContext), new KeyValuePair<string, object?>("db_name", key.Database));
        }
    }

    /// <summary>Which backlog: a DbContext type on one database.</summary>
    public sealed record SnapshotKey(string DbContext, string Database);

    /// <summary>Backlog of one database at one moment.</summary>
    public sealed record BacklogSnapshot(long OutboxBacklog, TimeSpan? OldestOutboxAge, long ScheduledPending, TimeSpan? NextDueIn);
}
