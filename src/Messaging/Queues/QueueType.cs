namespace OrderSystem.Messaging.Queues;

/// <summary>The RabbitMQ queue type of a service's receive endpoints (<c>Messaging:QueueType</c>).</summary>
public enum QueueType
{
    /// <summary>RabbitMQ's classic queue: what every broker already has; no delivery limit.</summary>
    Classic,

    /// <summary>
    /// A quorum queue (Raft-replicated, fsynced) with a delivery limit: a message that keeps coming back unacknowledged
    /// (the consuming process crashes on it) is dead-lettered into <c>&lt;queue&gt;_error</c>.
    /// </summary>
    Quorum,
}
