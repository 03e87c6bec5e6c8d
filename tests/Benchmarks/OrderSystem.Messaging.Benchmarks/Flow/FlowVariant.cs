namespace OrderSystem.Messaging.Benchmarks.Flow;

/// <summary>How the <c>flow</c> mode carries one order's messages: the rungs from the floor up to the building block.</summary>
public enum FlowVariant
{
    /// <summary>Raw MassTransit, nothing written.</summary>
    RawNoDatabase,

    /// <summary>Raw MassTransit, and one durable transaction (one insert) per consumed message and per submit.</summary>
    RawWithTransactions,

    /// <summary>
    /// Raw MassTransit and the same inserts, but the steps that are waiting at the same moment share one durable
    /// transaction (group commit): each consumer still waits for the commit that carries its insert before it publishes.
    /// What batched consuming passes would buy at the floor.
    /// </summary>
    RawWithGroupCommit,

    /// <summary>
    /// The messaging building block as the services use it: the bus outbox for the submit, the consumer outbox + inbox
    /// (EF Core, pooled DbContext) on every endpoint; the consumers write nothing of their own.
    /// </summary>
    ConsumerOutbox,
}
