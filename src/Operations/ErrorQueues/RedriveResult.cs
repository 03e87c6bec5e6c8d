namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// What a re-drive did in <see cref="Queue"/>: the messages moved (or, on a dry run, that would move), how many stayed,
/// and requested message ids that were not in the queue.
/// </summary>
public sealed record RedriveResult(string Queue, IReadOnlyList<RedrivenMessage> Messages, int Left, bool DryRun, IReadOnlyList<string> NotFound);

/// <summary>One re-driven message: its id, its type ("Namespace:Type") and the queue it was published to.</summary>
public sealed record RedrivenMessage(string? MessageId, string MessageType, string TargetQueue);
