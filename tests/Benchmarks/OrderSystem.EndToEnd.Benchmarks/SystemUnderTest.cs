using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace OrderSystem.EndToEnd.Benchmarks;

/// <summary>
/// The four services as processes (<c>dotnet src/S/bin/Release/net10.0/OrderSystem.S.dll</c>, as users run them outside
/// the AppHost) on loopback ports, with their own vhost and databases, plus the CPU time of every process of the system.
/// </summary>
internal sealed class SystemUnderTest(Settings settings) : IAsyncDisposable
{
    private static readonly string[] Services = ["Ordering", "Inventory", "Payment", "Notification"];
    private static readonly string[] DatabaseNames = ["orderdb", "inventorydb", "paymentdb", "notificationdb"];
    private readonly List<(string Name, Process Process)> _processes = [];
    private readonly string _logDir = Directory.CreateTempSubdirectory("e2e-bench-").FullName;
    private readonly HttpClient _management = ManagementClient(settings.Management);

    public Uri OrderingUrl => Url(0);
    public Uri InventoryUrl => Url(1);

    private Uri Url(int offset) => new($"http://127.0.0.1:{settings.PortBase + offset}");

    public async Task StartAsync()
    {
        Progress.Phase("start");
        await DropDatabasesAsync();
        await _management.DeleteAsync($"api/vhosts/{settings.VirtualHostPath()}");
        (await _management.PutAsync($"api/vhosts/{settings.VirtualHostPath()}", Json("{}"))).EnsureSuccessStatusCode();
        var user = Uri.UnescapeDataString(settings.Management.UserInfo.Split(':')[0]);
        (await _management.PutAsync($"api/permissions/{settings.VirtualHostPath()}/{user}",
            Json("""{"configure":".*","write":".*","read":".*"}"""))).EnsureSuccessStatusCode();

        // Ordering first: it migrates its database while the others start.
        for (var i = 0; i < Services.Length; i++) Start(Services[i], Services[i], settings.PortBase + i);
        for (var i = 0; i < Services.Length; i++) await WaitHealthyAsync(Services[i], Url(i));
        Progress.Note($"four services healthy; logs in {_logDir}");
    }

    public async Task StartReplicasAsync()
    {
        Progress.Phase("replicas");
        Start("Inventory", "Inventory #2", settings.PortBase + 4);
        Start("Payment", "Payment #2", settings.PortBase + 5);
        await WaitHealthyAsync("Inventory #2", Url(4));
        await WaitHealthyAsync("Payment #2", Url(5));
        Progress.Note("second Inventory and Payment replicas healthy");
    }

    private void Start(string service, string name, int port)
    {
        var dll = Path.Combine(settings.ServicesDir, service, "bin", settings.Configuration, "net10.0", $"OrderSystem.{service}.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is missing: build with -c {settings.Configuration} first.", dll);
        var log = Path.Combine(_logDir, name.Replace(" #", "-") + ".log");
        // exec: the pid is the service itself, whose CPU time we read.
        var info = new ProcessStartInfo("/bin/sh", ["-c", $"exec dotnet \"{dll}\" >\"{log}\" 2>&1"])
        {
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        var amqp = new UriBuilder(settings.RabbitUri) { Path = "/" + settings.VirtualHostPath() }.Uri.ToString();
        info.Environment["ConnectionStrings__messaging"] = amqp;
        for (var i = 0; i < DatabaseNames.Length; i++) info.Environment[$"ConnectionStrings__{DatabaseNames[i]}"] = settings.Database(DatabaseNames[i]);
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Inventory__OperatorApiKey"] = Settings.OperatorKey;
        info.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        _processes.Add((name, Process.Start(info)!));
    }

    private async Task WaitHealthyAsync(string name, Uri url)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(180))
        {
            var process = _processes.Single(p => p.Name == name).Process;
            if (process.HasExited) throw new InvalidOperationException($"{name} exited with {process.ExitCode}; see {_logDir}.");
            try
            {
                if ((await http.GetAsync("/health")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            Progress.Line($"waiting for {name} ({deadline.Elapsed.TotalSeconds:F0} s)");
            await Task.Delay(500);
        }

        throw new TimeoutException($"{name} not healthy after 180 s; see {_logDir}.");
    }

    /// <summary>CPU seconds (user + system) so far of each process of the system, and of this client.</summary>
    public Dictionary<string, double> CpuSeconds()
    {
        var result = new Dictionary<string, double>();
        foreach (var name in new[] { "Ordering", "Inventory", "Payment", "Notification" })
            result[name] = _processes.Where(p => p.Name.StartsWith(name, StringComparison.Ordinal)).Sum(p => ProcStat.Cpu(p.Process.Id, withChildren: false));
        result["RabbitMQ (beam)"] = PidFile("rabbitmq/rabbit.pid") is { } rabbit ? ProcStat.Cpu(rabbit, withChildren: true) : double.NaN;
        result["PostgreSQL (all backends)"] = PidFile("pg/data/postmaster.pid") is { } postgres ? ProcStat.Cpu(postgres, withChildren: true) : double.NaN;
        result["load client"] = ProcStat.Cpu(Environment.ProcessId, withChildren: false);
        return result;
    }

    private int? PidFile(string relative)
    {
        if (settings.InfraDir is null) return null;
        var path = Path.Combine(settings.InfraDir, relative);
        return File.Exists(path) && int.TryParse(File.ReadLines(path).FirstOrDefault()?.Trim(), out var pid) ? pid : null;
    }

    /// <summary>Messages published into the benchmark's vhost, and delivered from it, so far.</summary>
    public async Task<(double Published, double Delivered)> BrokerCountsAsync()
    {
        // The management plugin aggregates statistics every few seconds.
        await Task.Delay(TimeSpan.FromSeconds(6));
        using var json = JsonDocument.Parse(await _management.GetStringAsync($"api/vhosts/{settings.VirtualHostPath()}"));
        if (!json.RootElement.TryGetProperty("message_stats", out var stats)) return (0, 0);
        static double Count(JsonElement stats, string name) => stats.TryGetProperty(name, out var v) ? v.GetDouble() : 0;
        return (Count(stats, "publish"), Count(stats, "deliver_get"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, process) in _processes)
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
            {
            }
        }

        try
        {
            await DropDatabasesAsync();
            await _management.DeleteAsync($"api/vhosts/{settings.VirtualHostPath()}");
        }
        catch (Exception e)
        {
            Progress.Note($"clean-up failed: {e.Message}");
        }

        _management.Dispose();
    }

    private async Task DropDatabasesAsync()
    {
        await using var connection = new NpgsqlConnection(settings.Postgres);
        await connection.OpenAsync();
        foreach (var name in DatabaseNames)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS e2e_{name} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static HttpClient ManagementClient(Uri management)
    {
        var http = new HttpClient { BaseAddress = new UriBuilder(management) { UserName = "", Password = "", Path = "/" }.Uri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(management.UserInfo))));
        return http;
    }
}

internal static class SettingsExtensions
{
    public static string VirtualHostPath(this Settings _) => Settings.VirtualHost;
}

/// <summary>CPU time from /proc/&lt;pid&gt;/stat (utime + stime, and with children: reaped children and live ones).</summary>
internal static class ProcStat
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
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var child) || child == pid) continue;
                var c = Fields(child);
                if (c is not null && c[1] == pid.ToString()) ticks += long.Parse(c[11]) + long.Parse(c[12]);
            }
        }

        return ticks / TicksPerSecond;
    }

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
