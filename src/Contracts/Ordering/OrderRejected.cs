namespace OrderSystem.Contracts.Ordering;

/// <summary>Published by the order saga: the order could not be reserved (out of stock, unknown SKU). Nothing was charged. Terminal.</summary>
public record OrderRejected(Guid OrderId, string CustomerId, string Reason, DateTimeOffset RejectedAt);
