using Microsoft.EntityFrameworkCore;
using OrderSystem.Notification.Email;
using OrderSystem.Notification.Persistence;

namespace OrderSystem.Notification.Notifications;

/// <summary>
/// Records one notification per (order, kind) and sends it. The row is written before the e-mail: a second delivery of
/// the event finds it (or, running concurrently, waits on the unique key and is retried) and sends nothing more once
/// <see cref="OrderNotification.SentAt"/> is set. The only duplicate left is the one no database can prevent: a crash
/// between the SMTP server accepting the mail and the commit re-sends it on redelivery (at-least-once e-mail).
/// </summary>
public class OrderNotifier(NotificationDbContext db, IEmailSender email, ILogger<OrderNotifier> logger)
{
    public async Task NotifyAsync(Guid orderId, NotificationKind kind, string customerId, string subject, string body, CancellationToken cancellationToken)
    {
        var notification = await db.Notifications.SingleOrDefaultAsync(n => n.OrderId == orderId && n.Kind == kind, cancellationToken);
        if (notification is null)
        {
            notification = new OrderNotification
            {
                OrderId = orderId,
                Kind = kind,
                CustomerId = customerId,
                Recipient = email.RecipientFor(customerId),
                Subject = subject,
                Body = body,
                Channel = email.Channel,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            db.Notifications.Add(notification);
            await db.SaveChangesAsync(cancellationToken); // a concurrent duplicate fails on (order_id, kind) and is retried
        }

        if (notification.SentAt is not null)
        {
            logger.LogInformation("Order {OrderId}: {Kind} notification already sent", orderId, kind);
            return;
        }

        await email.SendAsync(notification.Recipient, notification.Subject, notification.Body, cancellationToken);
        notification.SentAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(cancellationToken);
    }
}
