namespace OrderSystem.Contracts.Payment;

/// <summary>Published by Payment: the charge was refused (by the provider's rules, or because the order was already voided).</summary>
public record PaymentDeclined(Guid OrderId, string Reason);
