namespace OrderSystem.Contracts.Payment;

/// <summary>
/// Published by the order saga once stock is reserved: charge the customer the order's total. Answered by
/// <see cref="PaymentCaptured"/> or <see cref="PaymentDeclined"/>. At most one charge per order.
/// </summary>
public record ChargePayment(Guid OrderId, string CustomerId, decimal Amount);
