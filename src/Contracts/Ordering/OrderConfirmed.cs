namespace OrderSystem.Contracts.Ordering;

/// <summary>Published by the order saga: stock is reserved and the payment captured. Terminal.</summary>
public record OrderConfirmed(Guid OrderId, string CustomerId, decimal Total, DateTimeOffset ConfirmedAt);
