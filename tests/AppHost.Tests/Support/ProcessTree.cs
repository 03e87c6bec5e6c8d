namespace OrderSystem.AppHost.Tests.Support;

/// <summary>
/// The processes an AppHost run started (Linux /proc), and whether they still run. DCP detaches from the test process,
/// so they are found by what they carry: DCP monitors the AppHost's process id, and every process it starts for this
/// run (services, RabbitMQ, PostgreSQL, epmd, and the scripts around them) has the run's unique data directory or
/// broker port in its environment.
/// </summary>
internal static class ProcessTree
{
    public sealed record Entry(int Pid, long StartTime, string Command);

    public static IReadOnlyList<Entry> StartedBy(int appHostProcessId, string marker)
    {
        var all = Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? Read(pid) : null)
            .OfType<(Entry Entry, int Parent, char State)>()
            .ToList();
        var dcp = all.Where(p => p.Entry.Command.Contains("dcp") && p.Entry.Command.Contains($"--monitor {appHostProcessId}")).Select(p => p.Entry);
        var tagged = all.Where(p => Environment(p.Entry.Pid).Contains(marker, StringComparison.Ordinal)).Select(p => p.Entry);
        var roots = dcp.Concat(tagged).DistinctBy(p => p.Pid).ToList();
        return roots.Concat(roots.SelectMany(r => DescendantsOf(r.Pid))).DistinctBy(p => p.Pid).ToList();
    }

    public static IReadOnlyList<Entry> DescendantsOf(int root)
    {
        var all = Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? Read(pid) : null)
            .OfType<(Entry Entry, int Parent, char State)>()
            .ToList();
        var result = new List<Entry>();
        var frontier = new Queue<int>([root]);
        while (frontier.Count > 0)
        {
            var parent = frontier.Dequeue();
            foreach (var child in all.Where(p => p.Parent == parent))
            {
                result.Add(child.Entry);
                frontier.Enqueue(child.Entry.Pid);
            }
        }

        return result;
    }

    /// <summary>Still running: the same process (same start time, so not a reused pid) and not a zombie.</summary>
    public static bool IsAlive(Entry entry) =>
        Read(entry.Pid) is { } now && now.Entry.StartTime == entry.StartTime && now.State != 'Z';

    private static string Environment(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static (Entry Entry, int Parent, char State)? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' '); // fields from the 3rd on: state, ppid, …, starttime (22nd)
            var command = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            return (new Entry(pid, long.Parse(fields[19]), command), int.Parse(fields[1]), fields[0][0]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null; // gone meanwhile
        }
    }
}
