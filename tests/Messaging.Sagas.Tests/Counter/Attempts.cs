using System.Collections.Concurrent;
using MassTransit;

namespace OrderSystem.Messaging.Sagas.Tests.Counter;

/// <summary>
/// Counts, per saga instance, how often the state machine ran for a message that was being retried. A test reads it
/// to show that pessimistic locking serialises without retries, and how many retries optimistic mode needed.
/// </summary>
public static class Attempts
{
    private static readonly ConcurrentDictionary<Guid, int> Retries = new();

    public static void Record(BehaviorContext<CounterState> context)
    {
        if (context.GetRetryAttempt() > 0) Retries.AddOrUpdate(context.Saga.CorrelationId, 1, (_, n) => n + 1);
    }

    public static int RetriesOf(Guid correlationId) => Retries.TryGetValue(correlationId, out var n) ? n : 0;
}
