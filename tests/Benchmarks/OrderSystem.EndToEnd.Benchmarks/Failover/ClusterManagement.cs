using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OrderSystem.EndToEnd.Benchmarks.Failover;

/// <summary>
/// RabbitMQ's management API over every node of a cluster: each call goes to every node that answers and merges what they
/// say, so it keeps working while one node is down. (Seen here with 3.10 under load: a node's API listed only its own
/// connections, so no single node's answer is trusted to be complete.) What the failover run needs: which node each
/// service's bus connection is on, the nodes' names, and each queue's type, replicas and messages.
/// </summary>
internal sealed class ClusterManagement : IDisposable
{
    private readonly HttpClient[] _nodes;

    public ClusterManagement(IEnumerable<Uri> nodes)
    {
        _nodes = nodes.Select(Client).ToArray();
        if (_nodes.Length == 0) throw new ArgumentException("No management URL given.", nameof(nodes));
    }

    /// <summary>The Erlang name of the node behind each management URL, in the order given (node 1 first).</summary>
    public async Task<string[]> NodeNamesAsync()
    {
        var names = new string[_nodes.Length];
        for (var i = 0; i < _nodes.Length; i++)
        {
            using var overview = JsonDocument.Parse(await _nodes[i].GetStringAsync("api/overview"));
            names[i] = overview.RootElement.GetProperty("node").GetString()!;
        }

        return names;
    }

    /// <summary>Open connections of the vhost: the name the client gave it (MassTransit: the service's name) and its node.</summary>
    public async Task<IReadOnlyList<(string Name, string Node)>> ConnectionsAsync(string vhost)
    {
        var answers = await GetAllAsync($"api/vhosts/{Uri.EscapeDataString(vhost)}/connections");
        using var _ = Disposing(answers);
        return answers.SelectMany(json => json.RootElement.EnumerateArray()
                .Select(c => (Name: c.TryGetProperty("client_properties", out var p) && p.TryGetProperty("connection_name", out var n) ? n.GetString() ?? "" : "",
                    Node: c.GetProperty("node").GetString() ?? "")))
            .Distinct()
            .ToList();
    }

    /// <summary>Every queue of the vhost: its type, messages, and for a quorum queue its members and the ones online.</summary>
    /// <summary>Per queue, the most any node reported: its largest message count, and the members and online replicas it listed.</summary>
    public async Task<IReadOnlyList<QueueState>> QueuesAsync(string vhost)
    {
        var answers = await GetAllAsync($"api/queues/{Uri.EscapeDataString(vhost)}");
        using var _ = Disposing(answers);
        return answers.SelectMany(json => json.RootElement.EnumerateArray().Select(q => new QueueState(
                q.GetProperty("name").GetString()!,
                q.TryGetProperty("type", out var t) ? t.GetString() ?? "classic" : "classic",
                q.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0,
                Names(q, "members"),
                Names(q, "online"))))
            .GroupBy(q => q.Name)
            .Select(g => g.First() with
            {
                Messages = g.Max(q => q.Messages),
                Members = g.MaxBy(q => q.Members.Length)!.Members,
                Online = g.MaxBy(q => q.Online.Length)!.Online,
            })
            .ToList();
    }

    /// <summary>
    /// Mirrors the vhost's classic dead-letter queues (<c>_error</c>, <c>_skipped</c>) on every node (RabbitMQ 3.x classic
    /// mirroring). Without it such a queue lives on one node only, and while that node is down no endpoint that declares it
    /// can start on another node.
    /// </summary>
    public async Task MirrorDeadLetterQueuesAsync(string vhost)
    {
        var body = new StringContent("""{"pattern":"(_error|_skipped)$","apply-to":"queues","priority":1,"definition":{"ha-mode":"all","ha-sync-mode":"automatic"}}""",
            Encoding.UTF8, "application/json");
        (await _nodes[0].PutAsync($"api/policies/{Uri.EscapeDataString(vhost)}/dead-letters-on-every-node", body)).EnsureSuccessStatusCode();
    }

    /// <summary>What up to <paramref name="count"/> messages of a dead-letter queue are (message type, MassTransit's reason or fault, redelivered), left in it.</summary>
    public async Task<string[]> PeekAsync(string vhost, string queue, int count)
    {
        foreach (var node in _nodes)
        {
            try
            {
                var body = new StringContent($$"""{"count":{{count}},"ackmode":"ack_requeue_true","encoding":"auto","truncate":2000}""", Encoding.UTF8, "application/json");
                using var response = await node.PostAsync($"api/queues/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(queue)}/get", body);
                if (!response.IsSuccessStatusCode) continue;
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                return json.RootElement.EnumerateArray().Select(Describe).ToArray();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
        }

        return [];
    }

    /// <summary>The answers of every node that answers (at least one, or an exception).</summary>
    private async Task<List<JsonDocument>> GetAllAsync(string path)
    {
        var answers = new List<JsonDocument>();
        Exception? last = null;
        foreach (var node in _nodes)
        {
            try
            {
                using var response = await node.GetAsync(path);
                if (response.IsSuccessStatusCode) answers.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync()));
                else last = new HttpRequestException($"{node.BaseAddress}{path}: {(int)response.StatusCode}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e;
            }
        }

        return answers.Count > 0 ? answers : throw new HttpRequestException($"No node of the cluster answered {path}.", last);
    }

    private static string Describe(JsonElement message)
    {
        var headers = message.GetProperty("properties").TryGetProperty("headers", out var h) ? h : default;
        string Header(string name) => headers.ValueKind == JsonValueKind.Object && headers.TryGetProperty(name, out var v) ? v.ToString() : "";
        var type = "";
        try
        {
            using var body = JsonDocument.Parse(message.GetProperty("payload").GetString() ?? "{}");
            if (body.RootElement.TryGetProperty("messageType", out var types)) type = types[0].GetString() ?? "";
        }
        catch (JsonException)
        {
        }

        return $"{type} reason={Header("MT-Reason")} fault={Header("MT-Fault-Message")} redelivered={message.GetProperty("redelivered")}";
    }

    private static CompositeDisposable Disposing(List<JsonDocument> documents) => new(documents);

    private sealed class CompositeDisposable(List<JsonDocument> documents) : IDisposable
    {
        public void Dispose() => documents.ForEach(d => d.Dispose());
    }

    private static string[] Names(JsonElement queue, string property) =>
        queue.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(e => e.GetString()!).ToArray()
            : [];

    private static HttpClient Client(Uri management)
    {
        var http = new HttpClient
        {
            BaseAddress = new UriBuilder(management) { UserName = "", Password = "", Path = "/" }.Uri,
            Timeout = TimeSpan.FromSeconds(5),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(management.UserInfo))));
        return http;
    }

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
    }
}

internal sealed record QueueState(string Name, string Type, long Messages, string[] Members, string[] Online)
{
    public bool FullyReplicated => Type != "quorum" || (Members.Length > 0 && Members.All(Online.Contains));
}
