namespace OrderSystem.Messaging.Tests.Contracts;

/// <summary>
/// Asks <c>ProbeEnvelopeConsumer</c> to record the envelope it arrived with; at <see cref="Hop"/> 1 it sends
/// <see cref="Onward"/> more probes (hops 2, 3, …) through the consumer outbox, each with an envelope of its own.
/// </summary>
public record ProbeEnvelope(Guid RunId, int Hop, int Onward = 0);
