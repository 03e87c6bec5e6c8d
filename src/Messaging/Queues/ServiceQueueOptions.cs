namespace OrderSystem.Messaging.Queues;

/// <summary>
/// What kind of queue a service's receive endpoints are, from configuration section <c>Messaging</c>
/// (environment: <c>Messaging__QueueType=quorum</c>, <c>Messaging__DeliveryLimit=10</c>). The default is classic, so
/// that a broker whose queues already exist keeps working; docs/reliability.md says why and how to switch.
/// </summary>
public sealed class ServiceQueueOptions
{
    public const string Section = "Messaging";

    /// <summary>Default <see cref="DeliveryLimit"/>.</summary>
    public const int DefaultDeliveryLimit = 10;

    /// <summary><see cref="Queues.QueueType.Classic"/> (default) or <see cref="Queues.QueueType.Quorum"/>.</summary>
    public QueueType QueueType { get; set; } = QueueType.Classic;

    /// <summary>
    /// Quorum queues only: how many times a message may be handed back to the queue unacknowledged (the consumer's process
    /// died, its connection dropped, or it stopped with the message prefetched) before RabbitMQ dead-letters it into
    /// <c>&lt;queue&gt;_error</c> (RabbitMQ's <c>x-delivery-limit</c>; the message is delivered at most limit + 1 times).
    /// Retries and redeliveries of MassTransit's failure policy do not count: they acknowledge and re-send.
    /// </summary>
    public int DeliveryLimit { get; set; } = DefaultDeliveryLimit;

    /// <summary>Throws when the numbers cannot work.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(QueueType)) throw new ArgumentException($"Invalid {Section}:{nameof(QueueType)} '{QueueType}': classic or quorum.");
        if (DeliveryLimit < 1) throw new ArgumentException($"Invalid {Section}:{nameof(DeliveryLimit)} {DeliveryLimit}: it must be at least 1.");
    }
}
