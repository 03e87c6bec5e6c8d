using System.Globalization;

namespace OrderSystem.Chaos.Servers;

/// <summary>The <c>ports</c> file eng/infra.sh keeps in its directory (<c>RMQ_PORT=…</c>, <c>EPMD_PORT=…</c>, <c>PG_PORT=…</c>).</summary>
internal static class PortsFile
{
    public static Dictionary<string, int> Parse(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => int.Parse(pair[1], CultureInfo.InvariantCulture));
}
