using MailKit;
using MailKit.Net.Smtp;
using OrderSystem.Messaging.FailureHandling;

namespace OrderSystem.Notification.Notifications;

/// <summary>
/// The SMTP failures that are worth trying again, on top of the system's transient failures (database, broker, sockets,
/// timeouts): a 4xx reply ("try again later", greylisting, mailbox busy), a broken or dropped SMTP conversation.
/// A 5xx reply (bad recipient, rejected message) is permanent.
/// </summary>
public static class SmtpFailures
{
    public static void AreTransient(FailurePolicy policy) => policy
        .Transient<SmtpCommandException>(e => (int)e.StatusCode is >= 400 and < 500)
        .Transient<SmtpProtocolException>()
        .Transient<ServiceNotConnectedException>()
        .Transient<IOException>();
}
