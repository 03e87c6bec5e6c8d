namespace OrderSystem.Contracts.Ordering;

/// <summary>
/// Published by the Ordering API when it accepts <c>POST /orders</c>. Starts the order saga.
/// </summary>
public record OrderSubmitted(Guid OrderId, string CustomerId, IReadOnlyList<OrderLine> Lines, DateTimeOffset SubmittedAt);
