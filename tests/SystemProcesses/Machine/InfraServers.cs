namespace OrderSystem.SystemProcesses.Machine;

/// <summary>The servers <c>eng/infra.sh</c> runs, found by the pid files it keeps under its folder (<c>INFRA_DIR</c>).</summary>
public static class InfraServers
{
    public const string RabbitMqPidFile = "rabbitmq/rabbit.pid";
    public const string PostgresPidFile = "pg/data/postmaster.pid";

    /// <summary>The pid written in <paramref name="relative"/> under <paramref name="infraDir"/>; null without the file or a number in it.</summary>
    public static int? Pid(string infraDir, string relative)
    {
        var path = Path.Combine(infraDir, relative);
        var first = File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() : null;
        return int.TryParse(first, out var pid) ? pid : null;
    }
}
