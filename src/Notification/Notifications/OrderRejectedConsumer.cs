using MassTransit;
using OrderSystem.Contracts.Ordering;

namespace OrderSystem.Notification.Notifications;

/// <summary>Tells the customer their order could not be accepted, and why.</summary>
public class OrderRejectedConsumer(OrderNotifier notifier) : IConsumer<OrderRejected>
{
    public Task Consume(ConsumeContext<OrderRejected> context) =>
        notifier.NotifyAsync(context.Message.OrderId, NotificationKind.OrderRejected, context.Message.CustomerId,
            $"Order {context.Message.OrderId} rejected",
            $"We could not accept your order {context.Message.OrderId}: {context.Message.Reason}. Nothing was charged.",
            context.CancellationToken);
}
