using OrderSystem.Ordering.Persistence;

namespace OrderSystem.Ordering.Telemetry;

/// <summary>
/// Scoped: the saga hands it an order that reached a terminal state; the metrics are recorded after the saga's
/// transaction commits (<see cref="AfterCommit"/>). A pass that fails and is retried (message retry, redelivery, a
/// lost lock) records nothing for the failed attempt, so each order is counted once. The one loss: the process dies
/// between the commit and the recording (the count is then low by one, never high).
/// </summary>
public sealed class OrderCompletionRecorder(OrderingDbContext db, OrderMetrics metrics)
{
    public void Completed(string state, TimeSpan duration) => AfterCommit.Run(db, () => metrics.Completed(state, duration));
}
