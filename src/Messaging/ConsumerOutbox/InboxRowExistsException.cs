namespace OrderSystem.Messaging.ConsumerOutbox;

/// <summary>
/// A saga's pass whose inbox insert, carried with the instance's load (<see cref="InboxInsert"/>), found the message's
/// inbox row already there: the message was delivered before (a redelivery, a duplicate). The pass stops before the state
/// machine runs; the consumer outbox rolls it back and runs the message again from the existing row, as a consumer's
/// pass does when its own insert finds the row. Never leaves the building block: the outbox's consume context keeps it
/// from being reported as a fault.
/// </summary>
internal sealed class InboxRowExistsException(Guid messageId)
    : Exception($"The inbox row of message {messageId} exists already; the pass starts again from it.");
