using Microsoft.Extensions.Options;

namespace OrderSystem.Notification.Email;

/// <summary>No SMTP server configured: the e-mail is written to the log instead.</summary>
public class LogEmailSender(IOptions<EmailOptions> options, ILogger<LogEmailSender> logger) : IEmailSender
{
    public string Channel => "log";

    public string RecipientFor(string customerId) => string.Format(options.Value.RecipientTemplate, customerId);

    public Task SendAsync(string recipient, string subject, string body, CancellationToken cancellationToken)
    {
        logger.LogInformation("E-mail (no SMTP server configured) to {Recipient}: {Subject} — {Body}", recipient, subject, body);
        return Task.CompletedTask;
    }
}
