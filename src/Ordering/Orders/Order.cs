namespace OrderSystem.Ordering.Orders;

/// <summary>
/// An order as the customer submitted it (table <c>orders</c>), written by the API in the same transaction as the
/// <c>OrderSubmitted</c> message. Its lifecycle is the saga's (<see cref="Saga.OrderState"/>).
/// </summary>
public class Order
{
    public Guid Id { get; set; }
    public string CustomerId { get; set; } = null!;
    public List<OrderItem> Lines { get; set; } = [];

    /// <summary>The client's <c>Idempotency-Key</c>, unique: a retried POST finds this order instead of creating another.</summary>
    public string? IdempotencyKey { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }
}
