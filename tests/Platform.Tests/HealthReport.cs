using System.Net;
using System.Text.Json;

namespace OrderSystem.Platform.Tests;

/// <summary>What <c>/health</c> answered: HTTP status, overall status and each check's status.</summary>
public sealed record HealthReport(HttpStatusCode Code, string Status, IReadOnlyDictionary<string, string> Checks)
{
    public static async Task<HealthReport> ReadAsync(HttpClient client, string path = "/health")
    {
        using var response = await client.GetAsync(path);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var checks = json.RootElement.GetProperty("checks").EnumerateObject()
            .ToDictionary(check => check.Name, check => check.Value.GetProperty("status").GetString()!);
        return new HealthReport(response.StatusCode, json.RootElement.GetProperty("status").GetString()!, checks);
    }

    public override string ToString() =>
        $"{(int)Code} {Status} [{string.Join(", ", Checks.Select(c => $"{c.Key}={c.Value}"))}]";
}
