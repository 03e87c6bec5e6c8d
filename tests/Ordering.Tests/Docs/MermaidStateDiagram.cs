using System.Text;
using MassTransit;
using MassTransit.SagaStateMachine;

namespace OrderSystem.Ordering.Tests.Docs;

/// <summary>
/// Writes a MassTransit state machine as a Mermaid <c>stateDiagram-v2</c>, from the machine itself: it visits every
/// state and every event handled in it (MassTransit's <see cref="StateMachineVisitor"/>) and records each
/// <c>TransitionTo</c> it finds, including those inside <c>If</c>/<c>IfElse</c> branches. Events a state only ignores have
/// no transition and do not appear. States with no way out are drawn as terminal.
/// </summary>
public static class MermaidStateDiagram
{
    public static string Generate<TSaga>(MassTransitStateMachine<TSaga> machine) where TSaga : class, SagaStateMachineInstance
    {
        var collector = new TransitionCollector<TSaga>();
        machine.Accept(collector);
        var transitions = collector.Transitions.Distinct().ToList();

        var text = new StringBuilder();
        text.AppendLine("stateDiagram-v2");
        foreach (var (from, @event, to) in transitions)
        {
            var source = from == machine.Initial.Name ? "[*]" : from;
            text.AppendLine($"    {source} --> {to} : {@event}");
        }

        var withExits = transitions.Select(t => t.From).ToHashSet();
        foreach (var terminal in transitions.Select(t => t.To).Distinct().Where(s => !withExits.Contains(s)).Order(StringComparer.Ordinal))
            text.AppendLine($"    {terminal} --> [*]");
        return text.ToString();
    }

    private sealed class TransitionCollector<TSaga> : StateMachineVisitor where TSaga : class, SagaStateMachineInstance
    {
        private State? _state;
        private Event? _event;

        public List<(string From, string Event, string To)> Transitions { get; } = [];

        public void Visit(State state, Action<State> next)
        {
            _state = state;
            next(state);
        }

        public void Visit(Event @event, Action<Event> next)
        {
            _event = @event;
            next(@event);
        }

        public void Visit<TMessage>(Event<TMessage> @event, Action<Event<TMessage>> next) where TMessage : class
        {
            _event = @event;
            next(@event);
        }

        public void Visit(IStateMachineActivity activity) => Visit(activity, _ => { });

        public void Visit(IStateMachineActivity activity, Action<IStateMachineActivity> next)
        {
            if (activity is TransitionActivity<TSaga> transition && _state is not null && _event is not null)
                Transitions.Add((_state.Name, _event.Name, transition.ToState.Name));
            next(activity);
        }

        public void Visit<T>(IBehavior<T> behavior) where T : class, SagaStateMachineInstance { }

        public void Visit<T>(IBehavior<T> behavior, Action<IBehavior<T>> next) where T : class, SagaStateMachineInstance => next(behavior);

        public void Visit<T, TMessage>(IBehavior<T, TMessage> behavior) where T : class, SagaStateMachineInstance where TMessage : class { }

        public void Visit<T, TMessage>(IBehavior<T, TMessage> behavior, Action<IBehavior<T, TMessage>> next) where T : class, SagaStateMachineInstance where TMessage : class =>
            next(behavior);
    }
}
