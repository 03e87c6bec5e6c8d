using System.Diagnostics;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Tests.Support;
using Shouldly;

namespace OrderSystem.Messaging.Tests.CrashTesting;

/// <summary>
/// tests/Messaging.CrashClient in <c>service</c> mode: started armed at a crash point (and then expected to die there),
/// or as the restart, which a test stops gracefully (SIGTERM) so that it acknowledges what it handled before the next test.
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
        if (!await CrashClient.WaitForLineAsync(service._process, "STARTED", StartTimeout))
        {
            await service.DisposeAsync();
            throw new ShouldAssertException("the service process did not start: " + await service._stderr);
        }

        return service;
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
