using System.Diagnostics;

namespace OrderSystem.Messaging.CrashTesting;

/// <summary>
/// Test-only crash switch: <see cref="Reach"/> marks a step boundary (<see cref="CrashPoints"/>), and when the process's
/// <c>ORDERSYSTEM_CRASH_AT</c> names that point it writes <c>CRASH POINT &lt;name&gt; #&lt;n&gt;</c> to stderr and kills
/// its own process with SIGKILL: no finally block, no disposal, no broker acknowledgement, no rollback other than the
/// one the database does for a dead connection.
/// <para>
/// Compiled only with the symbol <c>ORDERSYSTEM_CRASH_POINTS</c>, which OrderSystem.Messaging.csproj defines for Debug
/// builds alone: in a Release build the calls to <see cref="Reach"/> are removed by the compiler
/// (<see cref="ConditionalAttribute"/>) and the variable is never read.
/// </para>
/// </summary>
public static class CrashPoint
{
#if ORDERSYSTEM_CRASH_POINTS
    public static bool Compiled => true;

    // Read once, at the first boundary the process reaches.
    private static readonly Lazy<CrashSwitch?> Switch = new(() => CrashSwitch.Parse(Environment.GetEnvironmentVariable(CrashSwitch.Variable)));
#else
    public static bool Compiled => false;
#endif

    [Conditional("ORDERSYSTEM_CRASH_POINTS")]
    public static void Reach(string point)
    {
#if ORDERSYSTEM_CRASH_POINTS
        CrashSwitch? armed;
        try
        {
            armed = Switch.Value;
        }
        catch (FormatException e)
        {
            Environment.FailFast(e.Message); // a mistyped point must not pass for "never reached"
            return;
        }

        if (armed is null || !armed.Fires(point)) return;
        Console.Error.WriteLine($"CRASH POINT {point} #{armed.Occurrence}");
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite); // the signal is asynchronous: this thread must not go on meanwhile
#endif
    }
}
