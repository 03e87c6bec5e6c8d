using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrderSystem.Testing.Database;

/// <summary>
/// Records the SQL of every round trip to one database, as Npgsql's own tracing reports it (one activity per command
/// or batch, whether EF Core or the building block's raw Npgsql sent it): what PostgreSQL received, and in which trips.
/// </summary>
public sealed class RoundTripRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<string> _trips = new();

    public RoundTripRecorder(string database)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("db.namespace") as string == database && activity.GetTagItem("db.query.text") is string sql) _trips.Enqueue(sql);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The SQL of each round trip so far, oldest first.</summary>
    public IReadOnlyList<string> Trips => [.. _trips];

    public void Dispose() => _listener.Dispose();
}
