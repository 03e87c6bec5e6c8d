using MassTransit;
using OrderSystem.Contracts.Ordering;

namespace OrderSystem.Notification.Notifications;

/// <summary>Tells the customer their order is confirmed.</summary>
public class OrderConfirmedConsumer(OrderNotifier notifier) : IConsumer<OrderConfirmed>
{
    public Task Consume(ConsumeContext<OrderConfirmed> context) =>
        notifier.NotifyAsync(context.Message.OrderId, NotificationKind.OrderConfirmed, context.Message.CustomerId,
            $"Order {context.Message.OrderId} confirmed",
            $"Your order {context.Message.OrderId} is confirmed. Total charged: {context.Message.Total:0.00}.",
            context.CancellationToken);
}
