using MassTransit;
using OrderSystem.Messaging.Tests.Contracts;

namespace OrderSystem.Messaging.CrashClient;

/// <summary>
/// A saga that ends: open → a row in <c>lease_state</c>; close → publish LeaseClosed and finalise, so the repository
/// deletes the row in the consumer outbox's transaction (<c>SetCompletedWhenFinalized</c>). A close that finds no
/// instance faults (to <c>lease-state_error</c>) instead of passing silently: a second run of a close shows.
/// </summary>
public class LeaseStateMachine : MassTransitStateMachine<LeaseState>
{
    public LeaseStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Opened, x => x.CorrelateById(m => m.Message.LeaseId));
        Event(() => Closed, x =>
        {
            x.CorrelateById(m => m.Message.LeaseId);
            x.OnMissingInstance(m => m.Fault());
        });

        Initially(
            When(Opened)
                .Then(c => c.Saga.Opens++)
                .TransitionTo(Open));

        During(Open,
            When(Opened).Then(c => c.Saga.Opens++),
            When(Closed)
                .Publish(c => new LeaseClosed(c.Saga.CorrelationId))
                .Finalize());

        SetCompletedWhenFinalized();
    }

    public State Open { get; private set; } = null!;

    public Event<OpenLease> Opened { get; private set; } = null!;
    public Event<CloseLease> Closed { get; private set; } = null!;
}
