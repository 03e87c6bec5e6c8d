using OrderSystem.Notification.Email;

namespace OrderSystem.Notification.Demo;

/// <summary>
/// Wraps the real sender (SMTP or log) and fails the send for a customer under a <see cref="MailOutage"/>; everyone
/// else's mail goes through untouched. It fails where a real mail server would, inside the consumer, so the failure
/// takes the system's real path: the consumer's transaction rolls back, the failure policy retries (or not), and the
/// event ends in the queue's <c>_error</c>.
/// </summary>
public sealed class MailOutageEmailSender(IEmailSender inner, MailOutage outage) : IEmailSender
{
    public string Channel => inner.Channel;

    public string RecipientFor(string customerId) => inner.RecipientFor(customerId);

    public Task SendAsync(string recipient, string subject, string body, CancellationToken cancellationToken)
    {
        var customer = outage.Customers.Keys.FirstOrDefault(c => RecipientFor(c) == recipient);
        return (customer is null ? null : outage.For(customer)) switch
        {
            MailOutageKind.Permanent => throw new MailRejectedException(
                $"The mail server rejected the message to {recipient} (demo mail outage for customer '{customer}')."),
            MailOutageKind.Transient => throw new IOException(
                $"The connection to the mail server was dropped while sending to {recipient} (demo mail outage for customer '{customer}')."),
            _ => inner.SendAsync(recipient, subject, body, cancellationToken),
        };
    }
}

/// <summary>A mail server's final "no": not worth retrying (see <see cref="Notifications.SmtpFailures"/>).</summary>
public sealed class MailRejectedException(string message) : Exception(message);
