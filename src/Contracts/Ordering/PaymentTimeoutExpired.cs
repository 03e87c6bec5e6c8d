namespace OrderSystem.Contracts.Ordering;

/// <summary>
/// Scheduled by the order saga to itself when it asks for the payment; delivered only if neither
/// <see cref="Payment.PaymentCaptured"/> nor <see cref="Payment.PaymentDeclined"/> arrived in time (the saga
/// unschedules it otherwise, and ignores a late one whose token no longer matches).
/// </summary>
public record PaymentTimeoutExpired(Guid OrderId);
