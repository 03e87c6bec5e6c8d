namespace OrderSystem.Notification.Notifications;

public enum NotificationKind
{
    OrderConfirmed,
    OrderCancelled,
    OrderRejected,
}
