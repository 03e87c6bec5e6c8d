namespace OrderSystem.Contracts.Ordering;

/// <summary>
/// The W3C baggage entry that names the order a trace is about. The Ordering API sets it when it accepts an order;
/// it then travels with every message of the order (MassTransit headers, outbox and scheduler rows), and every service
/// copies it onto its spans and log records (<c>builder.AddBaggageAttributes(OrderBaggage.OrderId)</c>), so that a
/// user finds all of one order's telemetry by <c>order.id</c>.
/// </summary>
public static class OrderBaggage
{
    public const string OrderId = "order.id";
}
