using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Readiness probes (eng/run.sh, the AppHost, an orchestrator) begin while the service is still starting: its bus is not
/// started yet, and the health-check service logs every Unhealthy check as an error
/// (<c>fail: … Health check masstransit-bus with status Unhealthy … 'Not ready: not started'</c>) although nothing is
/// wrong. Until <c>/health</c> has been Healthy once, those error records are held back; <c>/health</c> itself answers as
/// always (503, the failing check in its body). From the first Healthy report on, an Unhealthy check is logged as an
/// error again, as it should be during an outage.
/// </summary>
internal sealed class StartupHealthLog
{
    public const string Category = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    private volatile bool _wasHealthy;

    public void Healthy() => _wasHealthy = true;

    /// <summary>The category's filter: warnings (Degraded) always, errors (Unhealthy) once the service has been ready.</summary>
    public bool ShouldLog(LogLevel level) => level >= LogLevel.Warning && (_wasHealthy || level < LogLevel.Error);
}
