using MassTransit;

namespace OrderSystem.Messaging.Sagas.Tests.Counter;

public class CounterState : SagaStateMachineInstance, ISagaRowVersion
{
    public Guid CorrelationId { get; set; }
    public string? CurrentState { get; set; }
    public string Name { get; set; } = "";

    /// <summary>How many start events (CounterStarted or CounterOpened) reached this instance.</summary>
    public int Starts { get; set; }

    public int Count { get; set; }
    public uint RowVersion { get; set; }

    public override string ToString() => $"{CurrentState} starts={Starts} count={Count} xmin={RowVersion}";
}
