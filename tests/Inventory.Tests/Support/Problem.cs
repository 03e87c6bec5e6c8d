using System.Net;
using System.Text.Json;

namespace OrderSystem.Inventory.Tests.Support;

/// <summary>A ProblemDetails answer as a client reads it: status, content type, title, detail and the per-field errors.</summary>
public sealed record Problem(HttpStatusCode Status, string? ContentType, string? Title, string? Detail, IReadOnlyDictionary<string, string[]> Errors)
{
    public static async Task<Problem> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        string? Text(string name) => root.TryGetProperty(name, out var p) ? p.GetString() : null;
        var errors = root.TryGetProperty("errors", out var e)
            ? e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetString()!).ToArray())
            : new Dictionary<string, string[]>();
        return new Problem(response.StatusCode, response.Content.Headers.ContentType?.MediaType, Text("title"), Text("detail"), errors);
    }
}
