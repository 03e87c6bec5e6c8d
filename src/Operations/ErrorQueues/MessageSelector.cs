namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// Which messages a re-drive takes: all of them, or those matching every given filter (any of the message ids, and
/// the message type).
/// </summary>
public sealed record MessageSelector(bool All, IReadOnlySet<string> MessageIds, string? MessageType)
{
    public bool Matches(ErrorQueueMessage message) =>
        All || ((MessageIds.Count == 0 || (message.MessageId is { } id && MessageIds.Contains(id)))
                && (MessageType is null || message.HasMessageType(MessageType)));
}
