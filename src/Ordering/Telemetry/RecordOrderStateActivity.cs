using System.Diagnostics;
using MassTransit;
using OrderSystem.Messaging.Storage;
using OrderSystem.Ordering.Persistence;
using OrderSystem.Ordering.Saga;
using OrderSystem.Ordering.StateFeed;

namespace OrderSystem.Ordering.Telemetry;

/// <summary>
/// State-machine activity run whenever the order enters a state: names the state on the saga's span
/// (<see cref="OrderStateTag"/>) and, for a terminal state, records the order metrics once the saga's transaction commits
/// (<see cref="AfterCommit"/>), so a pass that rolls back and is retried counts once; after the same commit, hands every
/// state change to the <see cref="OrderStateFeed"/> (<c>GET /orders/events</c>). Resolved from the message's scope;
/// a host without <see cref="OrderMetrics"/> or the feed (the in-memory saga harness) records no metrics or changes.
/// </summary>
public sealed class RecordOrderStateActivity(OrderMetrics? metrics = null, OrderingDbContext? db = null, OrderStateFeed? feed = null)
    : IStateMachineActivity<OrderState>
{
    /// <summary>Span attribute naming the state the saga entered while handling a message.</summary>
    public const string OrderStateTag = "order.state";

    public async Task Execute(BehaviorContext<OrderState> context, IBehavior<OrderState> next)
    {
        Record(context.Saga);
        await next.Execute(context);
    }

    public async Task Execute<T>(BehaviorContext<OrderState, T> context, IBehavior<OrderState, T> next)
        where T : class
    {
        Record(context.Saga);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<OrderState, TException> context, IBehavior<OrderState> next)
        where TException : Exception => next.Faulted(context);

    public Task Faulted<T, TException>(BehaviorExceptionContext<OrderState, T, TException> context, IBehavior<OrderState, T> next)
        where T : class
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("record-order-state");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);

    private void Record(OrderState order)
    {
        Activity.Current?.SetTag(OrderStateTag, order.CurrentState);
        if (feed is not null)
        {
            var change = new OrderStateChanged(order.CorrelationId, order.CustomerId, order.CurrentState, order.Total, order.Reason,
                order.History.Select(h => new OrderStateChanged.Entry(h.State, h.At)).ToList());
            if (db is null) feed.Publish(change);
            else AfterCommit.Run(db, () => feed.Publish(change));
        }

        if (metrics is null || !OrderStateNames.IsTerminal(order.CurrentState)) return;

        var state = order.CurrentState;
        var duration = DateTimeOffset.UtcNow - (order.History.Count > 0 ? order.History[0].At : DateTimeOffset.UtcNow);
        if (db is null) metrics.Completed(state, duration);
        else AfterCommit.Run(db, () => metrics.Completed(state, duration));
    }
}
