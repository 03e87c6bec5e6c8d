using System.Diagnostics;
using OrderSystem.SystemProcesses.Console;
using OrderSystem.SystemProcesses.Machine;

namespace OrderSystem.Chaos.Servers;

/// <summary>
/// A RabbitMQ and a PostgreSQL of the driver's own (eng/infra.sh with a private ORDERSYSTEM_INFRA_DIR and base ports),
/// so that killing them touches nobody else's servers. Killed with SIGKILL from their pid files and started again with
/// <c>eng/infra.sh start</c> on the same ports.
/// </summary>
public sealed class PrivateServers(string repositoryRoot, string dir, int rabbitMqBasePort, int postgresBasePort, int epmdBasePort)
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);
    private Dictionary<string, string> _exports = [];
    private string _ports = "";

    public string Dir => dir;

    /// <summary>AMQP URI of the broker's default vhost, with credentials.</summary>
    public Uri RabbitMqUri => new(Export("RABBITMQ_URI"));

    /// <summary>Management HTTP API, with credentials in its user-info part.</summary>
    public Uri ManagementUri => new(Export("RABBITMQ_MANAGEMENT_URL"));

    /// <summary>The server's maintenance database.</summary>
    public string PostgresServer => Export("POSTGRES_CONNECTION_STRING");

    public async Task StartAsync()
    {
        await InfraAsync("start", rabbitMqBasePort, postgresBasePort, epmdBasePort);
        _ports = await File.ReadAllTextAsync(Path.Combine(dir, "ports"));
        Progress.Note($"private servers in {dir}: {_ports.ReplaceLineEndings(" ").Trim()}");
    }

    /// <summary>SIGKILL to RabbitMQ's Erlang VM; returns once it and its helper processes are gone.</summary>
    public Task KillRabbitMqAsync(CancellationToken cancellationToken) => KillAsync(PidFile(InfraServers.RabbitMqPidFile), "RabbitMQ", cancellationToken);

    /// <summary>SIGKILL to the postmaster; returns once its backends have noticed and exited too.</summary>
    public Task KillPostgresAsync(CancellationToken cancellationToken) => KillAsync(PidFile(InfraServers.PostgresPidFile), "PostgreSQL", cancellationToken);

    /// <summary>Starts whichever server is not running again, on the ports it had (fails if one of them was taken meanwhile).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        var ports = PortsFile.Parse(_ports);
        await InfraAsync("start", ports["RMQ_PORT"], ports["PG_PORT"], ports["EPMD_PORT"], cancellationToken);
        var now = await File.ReadAllTextAsync(Path.Combine(dir, "ports"));
        if (now != _ports) throw new InvalidOperationException($"the servers came back on other ports ({now.ReplaceLineEndings(" ")}; were {_ports.ReplaceLineEndings(" ")}): a port was taken meanwhile.");
    }

    public Task StopAsync() => InfraAsync("stop", rabbitMqBasePort, postgresBasePort, epmdBasePort);

    private string Export(string name) =>
        _exports.TryGetValue(name, out var value) ? value : throw new InvalidOperationException($"eng/infra.sh did not export {name}.");

    private int PidFile(string relative) =>
        InfraServers.Pid(dir, relative) ?? throw new InvalidOperationException($"no pid in {Path.Combine(dir, relative)}: is the server running?");

    private static async Task KillAsync(int pid, string what, CancellationToken cancellationToken)
    {
        var family = ProcStat.Children(pid).Append(pid).ToList();
        using (var process = Process.GetProcessById(pid)) process.Kill(); // SIGKILL
        var watch = Stopwatch.StartNew();
        while (family.Any(ProcStat.IsAlive))
        {
            // A backend busy in a query notices its postmaster's death late; after a while it gets the same signal.
            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                foreach (var straggler in family.Where(ProcStat.IsAlive))
                {
                    try
                    {
                        using var p = Process.GetProcessById(straggler);
                        p.Kill();
                    }
                    catch (ArgumentException)
                    {
                    }
                }
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(90)) throw new TimeoutException($"{what}'s processes still alive 90 s after SIGKILL.");
            await Task.Delay(100, cancellationToken);
        }
    }

    private async Task InfraAsync(string command, int rabbitMqPort, int postgresPort, int epmdPort, CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(repositoryRoot, "eng", "infra.sh"), command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ORDERSYSTEM_INFRA_DIR"] = dir;
        info.Environment["RMQ_BASE_PORT"] = rabbitMqPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["PG_BASE_PORT"] = postgresPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["EPMD_BASE_PORT"] = epmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("eng/infra.sh did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"eng/infra.sh {command} did not finish within {ScriptTimeout.TotalMinutes} min: {await Rest(stderr)}");
        }

        if (process.ExitCode != 0) throw new InvalidOperationException($"eng/infra.sh {command} failed ({process.ExitCode}): {await Rest(stderr)}");
        if (command == "start") _exports = ExportLines.Parse(await Rest(stdout));
    }

    /// <summary>
    /// What the script wrote, once it has exited. A server it started in the background and that kept the pipe open
    /// would keep the stream from ending: then whatever arrived within a few seconds.
    /// </summary>
    private static async Task<string> Rest(Task<string> output)
    {
        try
        {
            return await output.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            return "(its output did not end: a process it started holds the pipe)";
        }
    }
}
