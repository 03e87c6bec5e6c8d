namespace OrderSystem.Contracts.Payment;

/// <summary>Published by Payment: the order's total was charged.</summary>
public record PaymentCaptured(Guid OrderId, Guid PaymentId, decimal Amount);
