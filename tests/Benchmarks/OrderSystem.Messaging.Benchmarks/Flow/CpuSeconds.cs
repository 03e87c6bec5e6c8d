using System.Diagnostics;
using OrderSystem.SystemProcesses.Machine;

namespace OrderSystem.Messaging.Benchmarks.Flow;

/// <summary>
/// CPU seconds so far of this process, the broker and the database server (all its backends). The servers are found by
/// the pid files of eng/infra.sh under <c>INFRA_DIR</c> (eng/benchmark.sh sets it); without them their figures are NaN.
/// </summary>
internal sealed record CpuSeconds(double Client, double Broker, double Database)
{
    public static CpuSeconds Now() => new(
        Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
        PidFile(InfraServers.RabbitMqPidFile) is { } broker ? ProcStat.Cpu(broker, withChildren: true) : double.NaN,
        PidFile(InfraServers.PostgresPidFile) is { } database ? ProcStat.Cpu(database, withChildren: true) : double.NaN);

    public static CpuSeconds operator -(CpuSeconds after, CpuSeconds before) =>
        new(after.Client - before.Client, after.Broker - before.Broker, after.Database - before.Database);

    private static int? PidFile(string relative) =>
        Environment.GetEnvironmentVariable("INFRA_DIR") is { Length: > 0 } infra ? InfraServers.Pid(infra, relative) : null;
}
