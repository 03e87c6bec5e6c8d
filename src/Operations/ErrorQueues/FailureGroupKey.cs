using System.Security.Cryptography;
using System.Text;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// What makes dead letters "the same failure": the dead-letter queue, the cause and the message type. The cause is the
/// exception type (<c>MT-Fault-ExceptionType</c>); a message RabbitMQ dead-lettered itself is grouped by its
/// <c>x-first-death-reason</c> (e.g. <c>delivery_limit</c>); any other without one, such as every message of a
/// <c>_skipped</c> queue, by its <c>MT-Reason</c>. <see cref="Id"/> is a short hash of the three, the same on every
/// run and every machine, so an id printed by <c>groups</c> can be passed to <c>redrive --group</c> later.
/// </summary>
public sealed record FailureGroupKey(string Queue, string Cause, string MessageType)
{
    public const string UnknownMessageType = "(unknown type)";

    public static FailureGroupKey Of(ErrorQueueMessage message) =>
        new(message.ErrorQueue, CauseOf(message), message.MessageTypes.Count > 0 ? message.MessageTypes[0] : UnknownMessageType);

    /// <summary>First 8 hex digits of SHA-256("queue\ncause\ntype").</summary>
    public string Id => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Queue}\n{Cause}\n{MessageType}")))[..8];

    private static string CauseOf(ErrorQueueMessage message)
    {
        if (message.ExceptionType is { } exception) return exception;
        if (message.DeadLetterReason is { } death) return $"dead-lettered by RabbitMQ: {death}";
        var kind = DeadLetterQueueNames.IsSkippedQueue(message.ErrorQueue) ? "skipped: no consumer for the type" : "no fault headers";
        return message.Reason is { } reason ? $"{kind} ({FaultHeaders.Reason} {reason})" : kind;
    }
}
