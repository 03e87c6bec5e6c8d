using System.Collections.Concurrent;

namespace OrderSystem.Notification.Demo;

/// <summary>
/// The "break it on purpose" switch (README): customers whose mail the mail server refuses, as if their mailbox were
/// gone. Empty unless someone turns it on with <c>PUT /demo/mail-outages/{customerId}</c>, so ordinary orders never
/// notice it. Held in memory by this instance only: a restart (or <c>DELETE</c>) ends every outage.
/// </summary>
public sealed class MailOutage
{
    private readonly ConcurrentDictionary<string, MailOutageKind> _customers = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, MailOutageKind> Customers => _customers.ToDictionary();

    public void Start(string customerId, MailOutageKind kind) => _customers[customerId] = kind;

    /// <summary>Ends the customer's outage; false when there was none.</summary>
    public bool End(string customerId) => _customers.TryRemove(customerId, out _);

    public MailOutageKind? For(string customerId) => _customers.TryGetValue(customerId, out var kind) ? kind : null;
}

/// <summary>How the mail server refuses.</summary>
public enum MailOutageKind
{
    /// <summary>A permanent refusal (like an SMTP 5xx): the failure policy does not retry; the event goes straight to the error queue.</summary>
    Permanent,

    /// <summary>A dropped connection (like a restarting server): immediate retries, then delayed redelivery, then the error queue.</summary>
    Transient,
}
