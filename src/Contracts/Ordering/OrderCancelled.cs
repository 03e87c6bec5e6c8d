namespace OrderSystem.Contracts.Ordering;

/// <summary>
/// Published by the order saga: the order was cancelled after it was accepted (payment declined, payment timed out,
/// cancelled by the customer). Reserved stock is released and any payment refunded. Terminal.
/// </summary>
public record OrderCancelled(Guid OrderId, string CustomerId, string Reason, DateTimeOffset CancelledAt);
