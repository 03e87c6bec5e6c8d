namespace OrderSystem.Contracts.Payment;

/// <summary>Published by Payment once per order: its charge was refunded (Amount &gt; 0) or voided before any charge (Amount = 0).</summary>
public record PaymentRefunded(Guid OrderId, decimal Amount);
