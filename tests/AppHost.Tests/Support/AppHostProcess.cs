using System.Diagnostics;
using System.Text;
using OrderSystem.SystemProcesses.Machine;
using OrderSystem.Testing.Polling;

namespace OrderSystem.AppHost.Tests.Support;

/// <summary>
/// The AppHost as a process of its own (its built dll, as `dotnet run` starts it), with the dashboard on, random
/// service ports and its own ports and data directory for RabbitMQ and PostgreSQL.
/// </summary>
internal sealed class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppHostProcess(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
    }

    public int ProcessId => _process.Id;

    public string DataDirectory { get; }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public static Task<AppHostProcess> StartAsync()
    {
        var projectPath = Projects.OrderSystem_AppHost.ProjectPath;
        var projectDirectory = Directory.Exists(projectPath) ? projectPath : Path.GetDirectoryName(projectPath)!;
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var dll = Path.Combine(projectDirectory, "bin", configuration, "net10.0", "OrderSystem.AppHost.dll");
        var dataDirectory = Path.Combine(Path.GetTempPath(), "ordersystem-apphost-test-" + Guid.NewGuid().ToString("N")[..8]);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = projectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList =
            {
                dll,
                "--DcpPublisher:RandomizePorts=true",
                $"--LocalInfrastructure:DataDirectory={dataDirectory}",
                $"--LocalInfrastructure:RabbitMqPort={FreePorts.ForRabbitMq()}",
                $"--LocalInfrastructure:RabbitMqManagementPort={FreePorts.Any()}",
                $"--LocalInfrastructure:EpmdPort={FreePorts.Any()}",
                $"--LocalInfrastructure:PostgresPort={FreePorts.Any()}",
            },
            Environment =
            {
                ["DOTNET_ENVIRONMENT"] = "Development",
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePorts.Any()}",
                ["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePorts.Any()}",
                ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePorts.Any()}",
                ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
                ["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
            },
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var apphost = new AppHostProcess(process, dataDirectory);
        process.OutputDataReceived += (_, e) => apphost.Append(e.Data);
        process.ErrorDataReceived += (_, e) => apphost.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return Task.FromResult(apphost);
    }

    /// <summary>Healthy = the dashboard answers and the AppHost reported every service healthy.</summary>
    public async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var last = await Eventually.Get(async () =>
        {
            if (_process.HasExited) return "exited";
            // The dashboard's port is randomized with the others (DcpPublisher:RandomizePorts); the AppHost prints it.
            var listening = System.Text.RegularExpressions.Regex.Match(Output, @"Now listening on: (\S+)");
            if (!listening.Success) return "no dashboard yet";
            var dashboard = await http.GetAsync(listening.Groups[1].Value);
            if (!dashboard.IsSuccessStatusCode) return $"dashboard {dashboard.StatusCode}";
            return Output.Contains("OrderSystem is running", StringComparison.Ordinal) ? "running" : "services not all healthy yet";
        }, state => state is "running" or "exited", "the AppHost's dashboard and its four services healthy", TimeSpan.FromMinutes(4));
        if (last != "running") throw new InvalidOperationException("The AppHost exited:\n" + Output);
    }

    /// <summary>What Ctrl-C or `kill` does: SIGTERM to the AppHost process.</summary>
    public void Terminate()
    {
        if (!_process.HasExited) Process.Start("kill", ["-TERM", ProcessId.ToString()])!.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Terminate();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try { await _process.WaitForExitAsync(timeout.Token); } catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }

        _process.Dispose();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
