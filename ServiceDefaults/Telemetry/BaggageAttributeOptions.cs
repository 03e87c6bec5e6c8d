namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Which W3C baggage entries become attributes of every span and log record (so that a user can search a trace or the
/// logs by them). Baggage travels with the trace: over HTTP, in MassTransit's message headers, and through the outbox
/// and the scheduler's rows. Only the listed keys are copied: baggage can come from outside (an HTTP caller), and an
/// allow-list keeps unknown keys out of the telemetry backend. ServiceDefaults knows no key of its own; a service adds
/// the ones its domain uses (e.g. <c>order.id</c>) with <see cref="BaggageAttributeExtensions.AddBaggageAttributes"/>.
/// </summary>
public sealed class BaggageAttributeOptions
{
    public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
}
