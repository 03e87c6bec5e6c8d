namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// Dead letters of one dead-letter queue with the same cause and message type (<see cref="FailureGroupKey"/>): how many,
/// since when, and one of them as a sample (its id and fault message). <see cref="Redriven"/> counts those that failed
/// again after a re-drive (<c>x-redrive-count</c> &gt; 0).
/// </summary>
public sealed record FailureGroup(
    string Id,
    string Queue,
    string SourceQueue,
    string Cause,
    string MessageType,
    int Count,
    int Redriven,
    DateTimeOffset? FirstSeen,
    DateTimeOffset? LastSeen,
    string? SampleMessageId,
    string? SampleFault)
{
    /// <summary>The groups of messages read from one queue, in the order their first message appears.</summary>
    public static IReadOnlyList<FailureGroup> Of(IEnumerable<ErrorQueueMessage> messages) => messages
        .GroupBy(FailureGroupKey.Of)
        .Select(g =>
        {
            var sample = g.First();
            return new FailureGroup(
                g.Key.Id,
                g.Key.Queue,
                sample.SourceQueue,
                g.Key.Cause,
                g.Key.MessageType,
                g.Count(),
                g.Count(m => m.RedriveCount > 0),
                g.Min(m => m.FirstSeen),
                g.Max(m => m.LastSeen),
                sample.MessageId,
                sample.ExceptionMessage ?? sample.Reason ?? (sample.DeadLetterReason is { } death ? BrokerDeadLetterReasons.Describe(death) : null));
        })
        .ToList();
}
