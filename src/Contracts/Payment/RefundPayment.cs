namespace OrderSystem.Contracts.Payment;

/// <summary>
/// Published by the order saga when it cancels an order whose charge may be under way: refund the charge if there is one,
/// otherwise void the order so that a late <see cref="ChargePayment"/> is declined. Handling it twice has one effect.
/// </summary>
public record RefundPayment(Guid OrderId);
