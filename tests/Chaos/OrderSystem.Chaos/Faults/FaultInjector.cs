using System.Diagnostics;
using OrderSystem.Chaos.Client;
using OrderSystem.Chaos.Run;
using OrderSystem.Chaos.Servers;
using OrderSystem.SystemProcesses.Console;
using OrderSystem.SystemProcesses.Services;

namespace OrderSystem.Chaos.Faults;

/// <summary>
/// Kills one process with SIGKILL, leaves it dead for <see cref="ChaosOptions.Down"/>, starts it again and waits until
/// every service is healthy; then measures the drain: from the kill until every order accepted before the recovery is
/// terminal (while new orders keep arriving). A backlog that does not drain is described (<see cref="StuckOrders"/>).
/// </summary>
public sealed class FaultInjector(ChaosOptions options, ServiceProcesses services, PrivateServers servers, OrderBacklog backlog, ClientLedger ledger, StuckOrders stuck)
{
    public async Task<FaultResult> InjectAsync(FaultTarget target, CancellationToken cancellationToken)
    {
        Progress.Phase($"fault: kill -9 {target}");
        var acceptedBefore = ledger.Accepted.Count;
        var killedAt = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        switch (target)
        {
            case FaultTarget.RabbitMq:
                await servers.KillRabbitMqAsync(cancellationToken);
                break;
            case FaultTarget.PostgreSql:
                await servers.KillPostgresAsync(cancellationToken);
                break;
            default:
                await services.KillAsync(target.ToString(), cancellationToken);
                break;
        }

        Progress.Note($"killed {target} (SIGKILL), {acceptedBefore} orders accepted so far");
        await Task.Delay(options.Down, cancellationToken); // the outage itself, not a synchronisation
        if (target is FaultTarget.RabbitMq or FaultTarget.PostgreSql) await servers.RestartAsync(cancellationToken);
        else services.Restart(target.ToString());
        foreach (var name in ServiceEnvironment.ServiceNames) await services.WaitHealthyAsync(name, options.HealthyTimeout, cancellationToken);
        var recoveredAfter = watch.Elapsed;

        var waiting = ledger.AcceptedIds();
        var pendingAtRecovery = await backlog.PendingAsync(waiting, options.DrainTimeout, cancellationToken);
        Progress.Note($"{target} back and every service healthy after {recoveredAfter.TotalSeconds:F1} s; {pendingAtRecovery} accepted orders not terminal yet");
        var drained = await backlog.DrainAsync(waiting, options.DrainTimeout, cancellationToken) ? watch.Elapsed : (TimeSpan?)null;
        Progress.Note(drained is { } d
            ? $"{target}: backlog drained {d.TotalSeconds:F1} s after the kill"
            : $"{target}: backlog NOT drained within {options.DrainTimeout.TotalSeconds:F0} s");
        if (drained is null) await stuck.NoteAsync(waiting, cancellationToken);
        return new FaultResult(target, killedAt, recoveredAfter, pendingAtRecovery, drained, acceptedBefore,
            ledger.RetriesBetween(killedAt, DateTimeOffset.UtcNow));
    }
}
