using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;

namespace OrderSystem.SystemProcesses.Broker;

/// <summary>The few calls of RabbitMQ's management HTTP API that tests and drivers need: vhosts, and what sits in a queue.</summary>
public sealed class RabbitMqManagement : IDisposable
{
    private readonly HttpClient _http;

    public RabbitMqManagement(Uri baseAddressWithCredentials)
    {
        var user = Uri.UnescapeDataString(baseAddressWithCredentials.UserInfo);
        _http = new HttpClient
        {
            BaseAddress = new UriBuilder(baseAddressWithCredentials) { UserName = "", Password = "", Path = "/api/" }.Uri,
            Timeout = TimeSpan.FromSeconds(30),
        };
        _http.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user)));
        UserName = user.Split(':')[0];
    }

    public string UserName { get; }

    public async Task CreateVirtualHostAsync(string vhost)
    {
        var v = Uri.EscapeDataString(vhost);
        (await _http.PutAsync($"vhosts/{v}", null)).EnsureSuccessStatusCode();
        (await _http.PutAsJsonAsync($"permissions/{v}/{Uri.EscapeDataString(UserName)}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
    }

    public async Task DeleteVirtualHostAsync(string vhost)
    {
        using var response = await _http.DeleteAsync($"vhosts/{Uri.EscapeDataString(vhost)}");
        if (response.StatusCode != System.Net.HttpStatusCode.NotFound) response.EnsureSuccessStatusCode();
    }

    /// <summary>The queue's state, or null when it does not exist (yet).</summary>
    public async Task<QueueInfo?> GetQueueAsync(string vhost, string queue)
    {
        using var response = await _http.GetAsync($"queues/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(queue)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<QueueInfo>();
    }

    public async Task<IReadOnlyList<QueueInfo>> GetQueuesAsync(string vhost)
    {
        var queues = await _http.GetFromJsonAsync<List<QueueInfo>>($"queues/{Uri.EscapeDataString(vhost)}");
        return queues ?? [];
    }

    /// <summary>The bindings whose destination is the queue (the default exchange's included, with source "").</summary>
    public async Task<IReadOnlyList<BindingInfo>> GetQueueBindingsAsync(string vhost, string queue)
    {
        var bindings = await _http.GetFromJsonAsync<List<BindingInfo>>($"queues/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(queue)}/bindings");
        return bindings ?? [];
    }

    /// <summary>The exchange's declaration, or null when it does not exist.</summary>
    public async Task<ExchangeInfo?> GetExchangeAsync(string vhost, string exchange)
    {
        using var response = await _http.GetAsync($"exchanges/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(exchange)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<ExchangeInfo>();
    }

    /// <summary>
    /// Up to <paramref name="count"/> messages of a queue, left in it (fetched and requeued: a diagnostic look, which
    /// marks them redelivered): their properties and headers as the management API gives them, and the body's start.
    /// </summary>
    public async Task<IReadOnlyList<string>> PeekAsync(string vhost, string queue, int count)
    {
        using var response = await _http.PostAsJsonAsync($"queues/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(queue)}/get",
            new { count, ackmode = "ack_requeue_true", encoding = "auto", truncate = 2000 });
        response.EnsureSuccessStatusCode();
        using var messages = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return messages.RootElement.EnumerateArray()
            .Select(m => $"{m.GetProperty("properties")} {m.GetProperty("payload").GetString()?[..Math.Min(600, m.GetProperty("payload").GetString()?.Length ?? 0)]}")
            .ToList();
    }

    /// <summary>Closes every client connection to the vhost from the broker's side (as a node's death or an operator would); returns how many.</summary>
    /// <summary>
    /// Closes every connection of <paramref name="vhost"/> the broker lists, as a dying node would, and returns the
    /// client-provided names of those it closed. The list lags (statistics are collected every second): it can still
    /// show a connection that has closed (skipped) and not yet show one just opened, so a caller waiting for a given
    /// connection polls until its name is returned.
    /// </summary>
    public async Task<IReadOnlyList<string>> CloseConnectionsAsync(string vhost)
    {
        var connections = await GetConnectionsAsync(vhost);
        var closed = new List<string>();
        foreach (var connection in connections)
        {
            using var response = await _http.DeleteAsync($"connections/{Uri.EscapeDataString(connection.Name)}");
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound) continue;
            response.EnsureSuccessStatusCode();
            closed.Add(connection.ClientProperties?.ConnectionName ?? connection.Name);
        }

        return closed;
    }

    /// <summary>The connections of <paramref name="vhost"/> the broker lists (with the same lag as above).</summary>
    public async Task<IReadOnlyList<ConnectionInfo>> GetConnectionsAsync(string vhost) =>
        await _http.GetFromJsonAsync<List<ConnectionInfo>>($"vhosts/{Uri.EscapeDataString(vhost)}/connections") ?? [];

    public void Dispose() => _http.Dispose();

    public sealed record ConnectionInfo(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("client_properties")] ClientProperties? ClientProperties);

    public sealed record ClientProperties([property: JsonPropertyName("connection_name")] string? ConnectionName);

    public sealed record QueueInfo(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("messages")] long Messages,
        [property: JsonPropertyName("messages_ready")] long MessagesReady,
        [property: JsonPropertyName("consumers")] long Consumers,
        [property: JsonPropertyName("messages_unacknowledged")] long MessagesUnacknowledged = 0)
    {
        /// <summary>classic, quorum or stream.</summary>
        [JsonPropertyName("type")] public string? Type { get; init; }

        [JsonPropertyName("durable")] public bool Durable { get; init; }
        [JsonPropertyName("auto_delete")] public bool AutoDelete { get; init; }

        /// <summary>The x-… arguments it was declared with.</summary>
        [JsonPropertyName("arguments")] public Dictionary<string, System.Text.Json.JsonElement> Arguments { get; init; } = [];
    }

    public sealed record BindingInfo(
        [property: JsonPropertyName("source")] string Source,
        [property: JsonPropertyName("destination")] string Destination,
        [property: JsonPropertyName("routing_key")] string RoutingKey);

    public sealed record ExchangeInfo(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("durable")] bool Durable,
        [property: JsonPropertyName("auto_delete")] bool AutoDelete);
}
