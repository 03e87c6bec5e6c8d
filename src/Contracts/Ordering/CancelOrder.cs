namespace OrderSystem.Contracts.Ordering;

/// <summary>
/// Sent (published) by the Ordering API on <c>POST /orders/{id}/cancel</c>: the customer asks the saga to cancel. The saga
/// decides: before the payment is captured it compensates and cancels; afterwards it ignores the request.
/// </summary>
public record CancelOrder(Guid OrderId, string CustomerId, string Reason);
