namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// MassTransit's dead-letter queues of a receive endpoint <c>q</c>: <c>q_error</c> (a consumer faulted and gave up) and
/// <c>q_skipped</c> (nothing on the endpoint consumes the message's type).
/// </summary>
public static class DeadLetterQueueNames
{
    public const string ErrorSuffix = "_error";
    public const string SkippedSuffix = "_skipped";

    public static bool IsDeadLetterQueue(string queue) => IsErrorQueue(queue) || IsSkippedQueue(queue);
    public static bool IsErrorQueue(string queue) => queue.EndsWith(ErrorSuffix, StringComparison.Ordinal);
    public static bool IsSkippedQueue(string queue) => queue.EndsWith(SkippedSuffix, StringComparison.Ordinal);

    /// <summary>The receive endpoint's queue: the name without its suffix.</summary>
    public static string SourceQueueOf(string queue) =>
        IsErrorQueue(queue) ? queue[..^ErrorSuffix.Length]
        : IsSkippedQueue(queue) ? queue[..^SkippedSuffix.Length]
        : queue;
}
