using MassTransit;

namespace OrderSystem.Messaging.Sagas.Tests.Counter;

public class CounterStateMachine : MassTransitStateMachine<CounterState>
{
    /// <summary>A <see cref="CounterOpened"/> with this name fails in the state machine.</summary>
    public const string FailingName = "fail";

    public CounterStateMachine()
    {
        InstanceState(x => x.CurrentState);

        Event(() => Started, x => x.CorrelateById(context => context.Message.CounterId));
        Event(() => Opened, x =>
        {
            x.CorrelateById(context => context.Message.CounterId);
            x.InsertOnInitial = true;
            x.SetSagaFactory(context => new CounterState { CorrelationId = context.Message.CounterId });
        });
        Event(() => Incremented, x => x.CorrelateById(context => context.Message.CounterId));
        Event(() => IncrementedByName, x => x.CorrelateBy((counter, context) => counter.Name == context.Message.Name));
        Event(() => Closed, x => x.CorrelateById(context => context.Message.CounterId));

        Initially(
            When(Started)
                .Then(context => Attempts.Record(context))
                .ThenAsync(context => CreationGate.Pass(context.Saga.CorrelationId))
                .Then(context => (context.Saga.Name, context.Saga.Starts) = (context.Message.Name, 1))
                .TransitionTo(Active),
            When(Opened)
                .Then(context => Attempts.Record(context))
                .ThenAsync(context => CreationGate.Pass(context.Saga.CorrelationId))
                .Then(context => (context.Saga.Name, context.Saga.Starts) = (context.Message.Name, 1))
                .Then(context =>
                {
                    // Fails after the repository has inserted the row (InsertOnInitial): whoever owns the transaction
                    // must roll that insert back.
                    if (context.Message.Name == FailingName) throw new InvalidOperationException("The counter refused to open.");
                })
                .TransitionTo(Active));

        During(Active,
            When(Started).Then(context => Attempts.Record(context)).Then(context => context.Saga.Starts++),
            When(Opened).Then(context => Attempts.Record(context)).Then(context => context.Saga.Starts++),
            When(Incremented).Then(context => Attempts.Record(context)).Then(context => context.Saga.Count++),
            When(IncrementedByName).Then(context => Attempts.Record(context)).Then(context => context.Saga.Count++),
            When(Closed).TransitionTo(Done));
    }

    public State Active { get; private set; } = null!;
    public State Done { get; private set; } = null!;

    public Event<CounterStarted> Started { get; private set; } = null!;
    public Event<CounterOpened> Opened { get; private set; } = null!;
    public Event<CounterIncremented> Incremented { get; private set; } = null!;
    public Event<NamedCounterIncremented> IncrementedByName { get; private set; } = null!;
    public Event<CounterClosed> Closed { get; private set; } = null!;
}
