namespace OrderSystem.Payment.Payments;

/// <summary>
/// The payment of one order (table <c>payments</c>, primary key = order id): at most one charge per order, and a
/// record of every outcome, including declines and refunds.
/// </summary>
public class PaymentRecord
{
    public Guid OrderId { get; set; }

    /// <summary>The provider's reference for the charge.</summary>
    public Guid PaymentId { get; set; }

    public string CustomerId { get; set; } = null!;
    public decimal Amount { get; set; }
    public PaymentStatus Status { get; set; }
    public string? Reason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
