namespace OrderSystem.SystemProcesses.Machine;

/// <summary>CPU time and parent of a process from /proc/&lt;pid&gt;/stat (utime + stime, and with children: reaped children and live ones).</summary>
public static class ProcStat
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static double Cpu(int pid, bool withChildren)
    {
        var fields = Fields(pid);
        if (fields is null) return 0;
        double ticks = long.Parse(fields[11]) + long.Parse(fields[12]); // utime, stime (fields 14, 15)
        if (withChildren)
        {
            ticks += long.Parse(fields[13]) + long.Parse(fields[14]); // cutime, cstime: children that have exited
            foreach (var child in Children(pid))
            {
                var c = Fields(child);
                if (c is not null) ticks += long.Parse(c[11]) + long.Parse(c[12]);
            }
        }

        return ticks / TicksPerSecond;
    }

    /// <summary>The live processes whose parent is <paramref name="pid"/>.</summary>
    public static IReadOnlyList<int> Children(int pid)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var child) || child == pid) continue;
            if (Fields(child) is { } c && c[1] == pid.ToString()) children.Add(child);
        }

        return children;
    }

    /// <summary>True while <paramref name="pid"/> exists and is not a zombie.</summary>
    public static bool IsAlive(int pid) => Fields(pid) is { } fields && fields[0] != "Z" && fields[0] != "X";

    /// <summary>The fields after the command name: [0] = state (field 3), [1] = ppid, [11] = utime (field 14), …</summary>
    private static string[]? Fields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
