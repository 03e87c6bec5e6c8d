namespace OrderSystem.Notification.Notifications;

/// <summary>
/// One message to a customer about an order (table <c>notifications</c>), unique per (order, kind): a redelivered
/// event finds the row and sends nothing more.
/// </summary>
public class OrderNotification
{
    public long Id { get; set; }
    public Guid OrderId { get; set; }
    public NotificationKind Kind { get; set; }
    public string CustomerId { get; set; } = null!;
    public string Recipient { get; set; } = null!;
    public string Subject { get; set; } = null!;
    public string Body { get; set; } = null!;

    /// <summary>"smtp" when an SMTP server is configured, "log" otherwise.</summary>
    public string Channel { get; set; } = null!;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the e-mail was handed to the SMTP server (or logged); null until then.</summary>
    public DateTimeOffset? SentAt { get; set; }
}
