namespace OrderSystem.Ordering.Saga;

/// <summary>
/// The names of <see cref="OrderStateMachine"/>'s states, as <see cref="OrderState.CurrentState"/> stores them
/// (MassTransit names a state after its property), for code that filters or counts by state.
/// </summary>
public static class OrderStateNames
{
    public const string Submitted = nameof(OrderStateMachine.Submitted);
    public const string StockReserved = nameof(OrderStateMachine.StockReserved);
    public const string Confirmed = nameof(OrderStateMachine.Confirmed);
    public const string Rejected = nameof(OrderStateMachine.Rejected);
    public const string Cancelled = nameof(OrderStateMachine.Cancelled);

    /// <summary>The states a client sees, in the order an order goes through them.</summary>
    public static readonly IReadOnlyList<string> All = [Submitted, StockReserved, Confirmed, Rejected, Cancelled];

    public static bool IsTerminal(string state) => state is Confirmed or Rejected or Cancelled;
}
