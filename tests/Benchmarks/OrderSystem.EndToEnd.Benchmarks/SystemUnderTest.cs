using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;
using OrderSystem.SystemProcesses.Console;
using OrderSystem.SystemProcesses.Machine;
using OrderSystem.SystemProcesses.Services;

namespace OrderSystem.EndToEnd.Benchmarks;

/// <summary>
/// The four services as processes (<see cref="ServiceProcesses"/>) on loopback ports, with their own vhost and databases,
/// plus the CPU time of every process of the system.
/// </summary>
internal sealed class SystemUnderTest(Settings settings) : IAsyncDisposable
{
    private static readonly TimeSpan HealthyWithin = TimeSpan.FromSeconds(180);
    private readonly HttpClient _management = ManagementClient(settings.Management);
    private readonly ServiceProcesses _services = new(settings.ServicesDir, settings.Configuration,
        new ServiceEnvironment(
                new UriBuilder(settings.RabbitUri) { Path = "/" + Settings.VirtualHost }.Uri.ToString(),
                settings.Database)
            .With("Inventory__OperatorApiKey", Settings.OperatorKey));

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
        var services = ServiceEnvironment.ServiceNames;
        for (var i = 0; i < services.Count; i++) _services.Start(services[i], services[i], settings.PortBase + i);
        foreach (var service in services) await _services.WaitHealthyAsync(service, HealthyWithin);
        Progress.Note($"four services healthy; logs in {_services.LogDir}");
    }

    public async Task StartReplicasAsync()
    {
        Progress.Phase("replicas");
        _services.Start("Inventory", "Inventory #2", settings.PortBase + 4);
        _services.Start("Payment", "Payment #2", settings.PortBase + 5);
        await _services.WaitHealthyAsync("Inventory #2", HealthyWithin);
        await _services.WaitHealthyAsync("Payment #2", HealthyWithin);
        Progress.Note("second Inventory and Payment replicas healthy");
    }

    /// <summary>CPU seconds (user + system) so far of each process of the system, and of this client.</summary>
    public Dictionary<string, double> CpuSeconds()
    {
        var result = new Dictionary<string, double>();
        var running = _services.Running.ToList();
        foreach (var name in ServiceEnvironment.ServiceNames)
            result[name] = running.Where(p => p.Name.StartsWith(name, StringComparison.Ordinal)).Sum(p => ProcStat.Cpu(p.Pid, withChildren: false));
        result["RabbitMQ (beam)"] = PidFile(InfraServers.RabbitMqPidFile) is { } rabbit ? ProcStat.Cpu(rabbit, withChildren: true) : double.NaN;
        result["PostgreSQL (all backends)"] = PidFile(InfraServers.PostgresPidFile) is { } postgres ? ProcStat.Cpu(postgres, withChildren: true) : double.NaN;
        result[PhaseResult.LoadClientProcess] = ProcStat.Cpu(Environment.ProcessId, withChildren: false);
        return result;
    }

    private int? PidFile(string relative) => settings.InfraDir is null ? null : InfraServers.Pid(settings.InfraDir, relative);

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
        await _services.DisposeAsync();
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

    /// <summary>
    /// Transactions committed so far in each service's database (pg_stat_database; every statement outside an explicit
    /// transaction is one): a count of database round trips' worth of work that the machine's load does not disturb.
    /// </summary>
    public async Task<Dictionary<string, long>> CommitsAsync()
    {
        await using var connection = new NpgsqlConnection(settings.Postgres);
        await connection.OpenAsync();
        await using (var flush = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", connection)) await flush.ExecuteNonQueryAsync();
        var result = ServiceEnvironment.DatabaseNames.ToDictionary(name => name, _ => 0L);
        await using var command = new NpgsqlCommand(
            "SELECT substr(datname, 5), xact_commit + xact_rollback FROM pg_stat_database WHERE datname = ANY($1)", connection)
        {
            Parameters = { new() { Value = result.Keys.Select(name => $"e2e_{name}").ToArray() } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) result[reader.GetString(0)] = reader.GetInt64(1);

        return result;
    }

    private async Task DropDatabasesAsync()
    {
        await using var connection = new NpgsqlConnection(settings.Postgres);
        await connection.OpenAsync();
        foreach (var name in ServiceEnvironment.DatabaseNames)
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
