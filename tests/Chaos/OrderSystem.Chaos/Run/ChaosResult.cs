using OrderSystem.Chaos.Faults;
using OrderSystem.Chaos.Invariants;

namespace OrderSystem.Chaos.Run;

/// <summary>Everything a run measured and checked; <see cref="Passed"/> when every fault drained and every invariant holds.</summary>
public sealed record ChaosResult(
    ChaosOptions Options,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    int OrdersPlaced,
    int Accepted,
    int Attempts,
    int Retries,
    int CancelsRequested,
    IReadOnlyList<FaultResult> Faults,
    TimeSpan? FinalDrain,
    Outcomes Outcomes,
    IReadOnlyList<InvariantResult> Invariants,
    IReadOnlyList<string> LoadAverages,
    string ServiceLogs)
{
    public bool Passed => Faults.All(f => f.DrainedAfter is not null) && FinalDrain is not null && Invariants.All(i => i.Holds);
}
