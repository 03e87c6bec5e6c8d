using System.Diagnostics;
using OrderSystem.AppHost.Tests.Support;
using OrderSystem.Testing.Polling;
using Shouldly;

namespace OrderSystem.AppHost.Tests;

/// <summary>
/// Ctrl-C on the AppHost stops everything it started: services, RabbitMQ, PostgreSQL, epmd, the dashboard and DCP.
/// The AppHost runs here as its own process, as `dotnet run --project AppHost` runs it, and gets SIGTERM.
/// </summary>
public sealed class Shutdown_Specs
{
    [Fact]
    public async Task Stopping_the_apphost_process_leaves_no_process_behind()
    {
        await using var apphost = await AppHostProcess.StartAsync();
        await apphost.WaitUntilHealthyAsync();
        var started = ProcessTree.StartedBy(apphost.ProcessId, apphost.DataDirectory)
            .Concat(ProcessTree.DescendantsOf(apphost.ProcessId)).DistinctBy(p => p.Pid).ToList();
        started.ShouldContain(p => p.Command.Contains("beam.smp"), "RabbitMQ runs under the AppHost");
        started.ShouldContain(p => p.Command.Contains("postgres -D"), "PostgreSQL runs under the AppHost");
        started.ShouldContain(p => p.Command.Contains("OrderSystem.Payment"), "the services run under the AppHost");
        started.ShouldContain(p => p.Command.Contains("Aspire.Dashboard"), "the dashboard runs under the AppHost");

        apphost.Terminate();

        var alive = await Eventually.Get(
            () => Task.FromResult(string.Join("; ", started.Where(ProcessTree.IsAlive).Select(p => $"{p.Pid} {p.Command}"))),
            left => left.Length == 0, "every process the AppHost started has exited", TimeSpan.FromMinutes(3));
        alive.ShouldBeEmpty();
    }
}
