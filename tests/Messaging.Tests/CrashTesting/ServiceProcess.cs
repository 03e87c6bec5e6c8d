using System.Diagnostics;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Tests.Support;
using Shouldly;

namespace OrderSystem.Messaging.Tests.CrashTesting;

/// <summary>
/// tests/Messaging.CrashClient in <c>service</c> mode: started armed at a crash point (and then expected to die there),
/// or as the restart (held until the armed one has died), which a test stops gracefully (SIGTERM) so that it
/// acknowledges what it handled before the next test.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    /// <summary>Exit code of a process killed by SIGKILL (128 + 9).</summary>
    public const int KilledExitCode = 137;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CrashTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private ServiceProcess(Process process)
    {
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public static async Task<ServiceProcess> StartAsync(Uri broker, string database, string? crashAt = null, params string[] more)
    {
        var environment = new Dictionary<string, string>();
        if (crashAt is not null) environment[CrashSwitch.Variable] = crashAt;
        var service = new ServiceProcess(CrashClient.Start(environment, ["service", broker.ToString(), MessagingTestHost.Limited(database), .. more]));
        await service.WaitForAsync("STARTED");
        return service;
    }

    /// <summary>
    /// Starts an unarmed service that builds and warms its host (reads that find nothing), then waits (<c>hold</c>) before
    /// it connects to the broker or runs any hosted service: the restart, started while the armed process runs, so that
    /// its cold start overlaps the crash. <see cref="GoAsync"/> lets it start.
    /// </summary>
    public static ServiceProcess Hold(Uri broker, string database, params string[] more) =>
        new(CrashClient.Start(new Dictionary<string, string>(), true, ["service", broker.ToString(), MessagingTestHost.Limited(database), .. more, "hold"]));

    /// <summary>Lets a held service start its host (bus, delivery service) and waits until it has.</summary>
    public async Task GoAsync()
    {
        await WaitForAsync("READY");
        await _process.StandardInput.WriteLineAsync("GO");
        await _process.StandardInput.FlushAsync();
        await WaitForAsync("STARTED");
    }

    private async Task WaitForAsync(string line)
    {
        if (await CrashClient.WaitForLineAsync(_process, line, StartTimeout)) return;
        await DisposeAsync();
        throw new ShouldAssertException($"the service process did not print {line}: " + await _stderr);
    }

    /// <summary>Waits until the process has died at <paramref name="crashAt"/> (<c>point[@n]</c>): SIGKILL and its marker.</summary>
    public async Task DiedAtAsync(string crashAt)
    {
        using var timeout = new CancellationTokenSource(CrashTimeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new ShouldAssertException($"the service never reached crash point {crashAt} within {CrashTimeout.TotalSeconds} s");
        }

        var stderr = await _stderr;
        var point = crashAt.Split('@')[0];
        var occurrence = crashAt.Contains('@') ? crashAt.Split('@')[1] : "1";
        stderr.ShouldContain($"CRASH POINT {point} #{occurrence}", Case.Sensitive, "the process died at the crash point");
        _process.ExitCode.ShouldBe(KilledExitCode, "killed by SIGKILL: " + stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // A graceful stop: what it consumed is acknowledged, nothing is left to the next test's process.
            using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString()]) { UseShellExecute = false }))
                await term!.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }
}
