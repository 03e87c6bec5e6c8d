namespace OrderSystem.Chaos.Servers;

/// <summary>The <c>export NAME='value'</c> lines eng/infra.sh prints on stdout.</summary>
internal static class ExportLines
{
    public static Dictionary<string, string> Parse(string text)
    {
        var result = new Dictionary<string, string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith("export ", StringComparison.Ordinal)) continue;
            var equals = line.IndexOf('=');
            if (equals < 0) continue;
            result[line["export ".Length..equals]] = line[(equals + 1)..].Trim('\'');
        }

        return result;
    }
}
