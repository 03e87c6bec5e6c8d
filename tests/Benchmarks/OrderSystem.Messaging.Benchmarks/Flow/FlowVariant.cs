namespace OrderSystem.Messaging.Benchmarks.Flow;

/// <summary>How the <c>flow</c> mode carries one order's messages: the rungs from the floor up to the building block.</summary>
public enum FlowVariant
{
    /// <summary>Raw MassTransit, nothing written.</summary>
    RawNoDatabase,

    /// <summary>Raw MassTransit, and one durable transaction (one insert) per consumed message and per submit.</summary>
    RawWithTransactions,

    /// <summary>
    /// The messaging building block as the services use it: the bus outbox for the submit, the consumer outbox + inbox
    /// (EF Core, pooled DbContext) on every endpoint; the consumers write nothing of their own.
    /// </summary>
    ConsumerOutbox,
}
