namespace OrderSystem.Notification.Notifications;

/// <summary>What a notification tells the customer; one per (order, kind). Stored by name.</summary>
public enum NotificationKind
{
    /// <summary>The order was accepted (<c>OrderSubmitted</c>); its outcome follows in one of the others.</summary>
    OrderReceived,
    OrderConfirmed,
    OrderCancelled,
    OrderRejected,
}
