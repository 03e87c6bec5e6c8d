namespace OrderSystem.Notification.Email;

/// <summary>Where notifications go: SMTP when a server is configured, the log otherwise.</summary>
public interface IEmailSender
{
    /// <summary>"smtp" or "log", recorded with each notification.</summary>
    string Channel { get; }

    string RecipientFor(string customerId);

    Task SendAsync(string recipient, string subject, string body, CancellationToken cancellationToken);
}
