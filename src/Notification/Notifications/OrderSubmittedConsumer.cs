using MassTransit;
using OrderSystem.Contracts.Ordering;

namespace OrderSystem.Notification.Notifications;

/// <summary>
/// Tells the customer their order was received, as soon as the Ordering API accepts it: Notification's own subscription
/// to <see cref="OrderSubmitted"/>, beside the order saga's (publish/subscribe; docs/order-flow.md).
/// </summary>
public class OrderSubmittedConsumer(OrderNotifier notifier) : IConsumer<OrderSubmitted>
{
    public Task Consume(ConsumeContext<OrderSubmitted> context)
    {
        var units = context.Message.Lines.Sum(l => l.Quantity);
        return notifier.NotifyAsync(context.Message.OrderId, NotificationKind.OrderReceived, context.Message.CustomerId,
            $"Order {context.Message.OrderId} received",
            $"We received your order {context.Message.OrderId} ({context.Message.Lines.Count} line(s), {units} unit(s)). "
            + "We are reserving the stock and taking the payment; another message tells you the outcome.",
            context.CancellationToken);
    }
}
