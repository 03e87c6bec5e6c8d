using MassTransit;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;

namespace OrderSystem.Messaging.Tests.Scheduling;

/// <summary>A saga with a timeout: Schedule on start, Unschedule on cancel, the way the order saga uses them.</summary>
public class ReminderStateMachine : MassTransitStateMachine<ReminderState>
{
    public ReminderStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Started, x => x.CorrelateById(m => m.Message.ReminderId));
        Event(() => Cancelled, x => x.CorrelateById(m => m.Message.ReminderId));
        Schedule(() => Reminder, x => x.ReminderToken, s => s.Received = r => r.CorrelateById(m => m.Message.ReminderId));

        Initially(
            When(Started)
                .Schedule(Reminder, ctx => new ReminderDue(ctx.Saga.CorrelationId), ctx => ctx.Message.Delay)
                .TransitionTo(Waiting));

        During(Waiting,
            When(Reminder.Received)
                .Then(ctx => ctx.GetServiceOrCreateInstance<Deliveries>().Record(ctx, ctx.Message))
                .TransitionTo(Reminded),
            When(Cancelled)
                .Unschedule(Reminder)
                .TransitionTo(Stopped));
    }

    public State Waiting { get; private set; } = null!;
    public State Reminded { get; private set; } = null!;
    public State Stopped { get; private set; } = null!;

    public Event<StartReminder> Started { get; private set; } = null!;
    public Event<CancelReminder> Cancelled { get; private set; } = null!;
    public Schedule<ReminderState, ReminderDue> Reminder { get; private set; } = null!;
}
