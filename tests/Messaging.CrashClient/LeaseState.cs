using MassTransit;
using OrderSystem.Messaging.Sagas;

namespace OrderSystem.Messaging.CrashClient;

/// <summary>A lease's saga instance: a row while open, deleted when closed (<see cref="LeaseStateMachine"/>).</summary>
public class LeaseState : SagaStateMachineInstance, ISagaRowVersion
{
    public Guid CorrelationId { get; set; }
    public string? CurrentState { get; set; }

    /// <summary>How many OpenLease messages reached the instance: more than one means a duplicate got past the inbox.</summary>
    public int Opens { get; set; }

    public uint RowVersion { get; set; }
}
