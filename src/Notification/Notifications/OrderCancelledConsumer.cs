using MassTransit;
using OrderSystem.Contracts.Ordering;

namespace OrderSystem.Notification.Notifications;

/// <summary>Tells the customer their order was cancelled, and why.</summary>
public class OrderCancelledConsumer(OrderNotifier notifier) : IConsumer<OrderCancelled>
{
    public Task Consume(ConsumeContext<OrderCancelled> context) =>
        notifier.NotifyAsync(context.Message.OrderId, NotificationKind.OrderCancelled, context.Message.CustomerId,
            $"Order {context.Message.OrderId} cancelled",
            $"Your order {context.Message.OrderId} was cancelled: {context.Message.Reason}. Nothing was charged, or the charge was refunded.",
            context.CancellationToken);
}
