namespace OrderSystem.Ordering.Saga;

/// <summary>One entry of an order's history: the state it entered and when.</summary>
public record OrderStateChange(string State, DateTimeOffset At);
