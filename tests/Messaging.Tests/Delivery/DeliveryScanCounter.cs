using System.Diagnostics;

namespace OrderSystem.Messaging.Tests.Delivery;

/// <summary>
/// Counts the delivery loop's locking scans in one database: of the bus outbox (<c>outbox_state</c>) and of due
/// scheduled messages. It listens to Npgsql's own tracing (every command, whether EF Core or the building block's raw
/// Npgsql sent it), so it sees the statements as the database gets them.
/// </summary>
internal sealed class DeliveryScanCounter : IDisposable
{
    private readonly ActivityListener _listener;
    private int _outbox;
    private int _scheduled;

    public DeliveryScanCounter(string database)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("db.namespace") as string == database && activity.GetTagItem("db.query.text") is string sql) Count(sql);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public int Outbox => Volatile.Read(ref _outbox);
    public int Scheduled => Volatile.Read(ref _scheduled);

    private void Count(string sql)
    {
        if (!sql.Contains("FOR UPDATE SKIP LOCKED", StringComparison.Ordinal)) return;
        if (sql.Contains("outbox_state", StringComparison.Ordinal)) Interlocked.Increment(ref _outbox);
        else if (sql.Contains("enqueue_time <=", StringComparison.Ordinal)) Interlocked.Increment(ref _scheduled);
    }

    public void Dispose() => _listener.Dispose();
}
