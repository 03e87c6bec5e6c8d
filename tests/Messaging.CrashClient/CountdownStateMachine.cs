using MassTransit;
using OrderSystem.Messaging.Tests.Contracts;

namespace OrderSystem.Messaging.CrashClient;

/// <summary>
/// A saga on the consumer outbox with a durable timeout: start → schedule the timeout, publish CountdownStarted;
/// timeout → publish CountdownElapsed; cancel → unschedule. Its counters make a second effect visible.
/// </summary>
public class CountdownStateMachine : MassTransitStateMachine<CountdownState>
{
    public CountdownStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Started, x => x.CorrelateById(m => m.Message.CountdownId));
        Event(() => Cancelled, x => x.CorrelateById(m => m.Message.CountdownId));
        Schedule(() => Due, x => x.DueToken, s => s.Received = r => r.CorrelateById(m => m.Message.CountdownId));

        Initially(
            When(Started)
                .Then(c => c.Saga.Starts++)
                .Schedule(Due, c => new CountdownDue(c.Saga.CorrelationId), c => c.Message.Delay)
                .Publish(c => new CountdownStarted(c.Saga.CorrelationId))
                .TransitionTo(Running));

        During(Running,
            When(Due.Received)
                .Then(c => c.Saga.Elapsed++)
                .Publish(c => new CountdownElapsed(c.Saga.CorrelationId))
                .TransitionTo(Finished),
            When(Cancelled)
                .Unschedule(Due)
                .TransitionTo(Stopped));

        DuringAny(When(Started).Then(c => c.Saga.Starts++));
    }

    public State Running { get; private set; } = null!;
    public State Finished { get; private set; } = null!;
    public State Stopped { get; private set; } = null!;

    public Event<StartCountdown> Started { get; private set; } = null!;
    public Event<CancelCountdown> Cancelled { get; private set; } = null!;
    public Schedule<CountdownState, CountdownDue> Due { get; private set; } = null!;
}
