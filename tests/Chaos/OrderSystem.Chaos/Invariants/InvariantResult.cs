namespace OrderSystem.Chaos.Invariants;

/// <summary>One invariant as checked: its statement, and every violation found (none: it holds).</summary>
public sealed record InvariantResult(string Statement, IReadOnlyList<string> Violations)
{
    public bool Holds => Violations.Count == 0;
}
