using System.Diagnostics;
using OrderSystem.SystemProcesses.Console;

namespace OrderSystem.SystemProcesses.Services;

/// <summary>
/// The services as processes (<c>dotnet src/S/bin/&lt;configuration&gt;/net10.0/OrderSystem.S.dll</c>, as users run them
/// outside the AppHost) on loopback ports, each under a name ("Ordering", "Inventory #2"), configured by environment
/// variables (<see cref="ServiceEnvironment"/>). They can be killed with SIGKILL and started again on the same port.
/// Each writes its output to <c>&lt;name&gt;.log</c> in <see cref="LogDir"/>, appended across restarts.
/// </summary>
public sealed class ServiceProcesses(string servicesDir, string configuration, ServiceEnvironment environment) : IAsyncDisposable
{
    private readonly Dictionary<string, Launched> _processes = [];

    public string LogDir { get; } = Directory.CreateTempSubdirectory("ordersystem-services-").FullName;

    /// <summary>The service processes started so far (the current process of each name).</summary>
    public IEnumerable<(string Name, int Pid)> Running
    {
        get
        {
            lock (_processes) return _processes.Select(p => (p.Key, p.Value.Process.Id)).ToList();
        }
    }

    public Uri Url(string name)
    {
        lock (_processes) return new Uri($"http://127.0.0.1:{_processes[name].Port}");
    }

    /// <summary>Starts <paramref name="service"/> (Ordering, Inventory, Payment, Notification) as <paramref name="name"/>.</summary>
    public void Start(string service, string name, int port)
    {
        var dll = Path.Combine(servicesDir, service, "bin", configuration, "net10.0", $"OrderSystem.{service}.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is missing: build with -c {configuration} first.", dll);
        var log = Path.Combine(LogDir, name.Replace(" #", "-") + ".log");
        // exec: the pid is the service itself (its CPU time, and a SIGKILL that reaches it and nothing else).
        var info = new ProcessStartInfo("/bin/sh", ["-c", $"exec dotnet \"{dll}\" >>\"{log}\" 2>&1"])
        {
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var (key, value) in environment.Variables) info.Environment[key] = value;
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start.");
        lock (_processes) _processes[name] = new Launched(service, port, process);
    }

    /// <summary>Polls <c>/health</c> until it answers 200; fails when the process exits or the deadline passes.</summary>
    public async Task WaitHealthyAsync(string name, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { BaseAddress = Url(name), Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            Process process;
            lock (_processes) process = _processes[name].Process;
            if (process.HasExited) throw new InvalidOperationException($"{name} exited with {process.ExitCode}; see {LogDir}.");
            try
            {
                if ((await http.GetAsync("/health", cancellationToken)).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            Progress.Line($"waiting for {name} to be healthy ({watch.Elapsed.TotalSeconds:F0} s)");
            await Task.Delay(500, cancellationToken);
        }

        throw new TimeoutException($"{name} not healthy after {timeout.TotalSeconds:F0} s; see {LogDir}.");
    }

    /// <summary>SIGKILL to the process: no shutdown code runs. Returns once the kernel has reaped it.</summary>
    public async Task KillAsync(string name, CancellationToken cancellationToken = default)
    {
        Process process;
        lock (_processes) process = _processes[name].Process;
        if (!process.HasExited) process.Kill(); // SIGKILL on Unix
        await process.WaitForExitAsync(cancellationToken);
    }

    /// <summary>Starts the process of <paramref name="name"/> again, the same service on the same port.</summary>
    public void Restart(string name)
    {
        Launched launched;
        lock (_processes) launched = _processes[name];
        if (!launched.Process.HasExited) throw new InvalidOperationException($"{name} still runs (pid {launched.Process.Id}).");
        launched.Process.Dispose();
        Start(launched.Service, name, launched.Port);
    }

    public async ValueTask DisposeAsync()
    {
        List<Process> processes;
        lock (_processes) processes = _processes.Values.Select(p => p.Process).ToList();
        foreach (var process in processes)
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
            {
            }

            process.Dispose();
        }
    }

    private sealed record Launched(string Service, int Port, Process Process);
}
