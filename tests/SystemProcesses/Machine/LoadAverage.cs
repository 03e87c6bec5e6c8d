namespace OrderSystem.SystemProcesses.Machine;

/// <summary>The machine's load average (<c>/proc/loadavg</c>): every figure a driver prints carries it.</summary>
public static class LoadAverage
{
    /// <summary>The 1-minute load average.</summary>
    public static string Read() => Fields()[0];

    /// <summary>The 1-, 5- and 15-minute load averages, as <c>uptime</c> prints them.</summary>
    public static string ReadAll() => string.Join(", ", Fields().Take(3));

    private static string[] Fields() => File.ReadAllText("/proc/loadavg").Split(' ');
}
