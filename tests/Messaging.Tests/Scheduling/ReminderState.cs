using MassTransit;

namespace OrderSystem.Messaging.Tests.Scheduling;

public class ReminderState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public Guid? ReminderToken { get; set; }
}
