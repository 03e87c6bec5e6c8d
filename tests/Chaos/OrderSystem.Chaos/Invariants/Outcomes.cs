namespace OrderSystem.Chaos.Invariants;

/// <summary>How the accepted orders ended, from the saga's table.</summary>
public sealed record Outcomes(int Confirmed, int Cancelled, int Rejected, int NotTerminal)
{
    public int Total => Confirmed + Cancelled + Rejected + NotTerminal;
}
