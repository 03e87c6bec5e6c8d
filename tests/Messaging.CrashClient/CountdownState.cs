using MassTransit;
using OrderSystem.Messaging.Sagas;

namespace OrderSystem.Messaging.CrashClient;

public class CountdownState : SagaStateMachineInstance, ISagaRowVersion
{
    public Guid CorrelationId { get; set; }
    public string? CurrentState { get; set; }
    public Guid? DueToken { get; set; }

    /// <summary>How many StartCountdown messages reached the instance: more than one means a duplicate got past the inbox.</summary>
    public int Starts { get; set; }

    /// <summary>How many times its timeout fired.</summary>
    public int Elapsed { get; set; }

    public uint RowVersion { get; set; }
}
