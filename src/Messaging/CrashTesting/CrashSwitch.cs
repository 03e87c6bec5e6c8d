namespace OrderSystem.Messaging.CrashTesting;

/// <summary>
/// The value of <c>ORDERSYSTEM_CRASH_AT</c>: <c>&lt;point&gt;</c> or <c>&lt;point&gt;@&lt;n&gt;</c>, crash the n-th time
/// (default the first) this process reaches that point. Counts its occurrences; thread-safe.
/// </summary>
public sealed class CrashSwitch
{
    public const string Variable = "ORDERSYSTEM_CRASH_AT";

    private int _reached;

    private CrashSwitch(string point, int occurrence)
    {
        Point = point;
        Occurrence = occurrence;
    }

    public string Point { get; }
    public int Occurrence { get; }

    /// <summary>Null for an unset or empty value; <see cref="FormatException"/> for an unknown point or a bad count.</summary>
    public static CrashSwitch? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var parts = value.Trim().Split('@');
        var occurrence = 1;
        if (parts.Length > 2 || (parts.Length == 2 && (!int.TryParse(parts[1], out occurrence) || occurrence < 1)))
            throw new FormatException($"{Variable}='{value}': expected <point> or <point>@<n> with n >= 1.");
        if (!CrashPoints.All.Contains(parts[0]))
            throw new FormatException($"{Variable}='{value}': no crash point is called '{parts[0]}'. Known: {string.Join(", ", CrashPoints.All)}.");
        return new CrashSwitch(parts[0], occurrence);
    }

    /// <summary>Counts one arrival at <paramref name="point"/>; true exactly at the chosen occurrence of the chosen point.</summary>
    public bool Fires(string point) => point == Point && Interlocked.Increment(ref _reached) == Occurrence;
}
