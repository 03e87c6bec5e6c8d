using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrderSystem.Testing.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OrderSystem.Operations.Tests.Support;

/// <summary>
/// The tests' own view of the broker, independent of the tool under test: exact queue depth over AMQP (a passive
/// declare, not the management API's sampled figures), and the messages of a queue in order through the management
/// API's "get messages" with ack_requeue_true.
/// </summary>
public sealed class BrokerProbe : IAsyncDisposable
{
    private readonly IsolatedEnvironment _environment;
    private readonly HttpClient _http;
    private IConnection? _connection;

    public BrokerProbe(IsolatedEnvironment environment)
    {
        _environment = environment;
        var management = environment.Servers.RabbitMqManagementUri;
        _http = new HttpClient { BaseAddress = new UriBuilder(management) { UserName = "", Password = "", Path = "/api/" }.Uri };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(management.UserInfo))));
    }

    /// <summary>Ready messages in the queue; 0 when it does not exist.</summary>
    public async Task<long> DepthAsync(string queue)
    {
        _connection ??= await new ConnectionFactory { Uri = _environment.RabbitMqUri }.CreateConnectionAsync();
        await using var channel = await _connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    public async Task DeleteQueueAsync(string queue)
    {
        _connection ??= await new ConnectionFactory { Uri = _environment.RabbitMqUri }.CreateConnectionAsync();
        await using var channel = await _connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(queue);
    }

    /// <summary>Publishes raw bytes straight into a queue (default exchange), as no MassTransit producer would.</summary>
    public async Task PublishRawAsync(string queue, string body, string messageId)
    {
        _connection ??= await new ConnectionFactory { Uri = _environment.RabbitMqUri }.CreateConnectionAsync();
        await using var channel = await _connection.CreateChannelAsync();
        var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", MessageId = messageId, Persistent = true };
        await channel.BasicPublishAsync("", queue, mandatory: false, properties, Encoding.UTF8.GetBytes(body));
    }

    /// <summary>The queue's messages, head first, as the management API returns them (message id and headers).</summary>
    public async Task<IReadOnlyList<PeekedMessage>> PeekAsync(string queue)
    {
        var path = $"queues/{Uri.EscapeDataString(_environment.VirtualHost)}/{Uri.EscapeDataString(queue)}/get";
        using var response = await _http.PostAsJsonAsync(path, new { count = 1000, ackmode = "ack_requeue_true", encoding = "auto", truncate = 50000 });
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.EnumerateArray().Select(m =>
        {
            var properties = m.GetProperty("properties");
            var headers = properties.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object
                ? h.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())
                : new Dictionary<string, string?>();
            var id = properties.TryGetProperty("message_id", out var i) ? i.GetString() : null;
            return new PeekedMessage(id, headers);
        }).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_connection is not null) await _connection.DisposeAsync();
    }

    public sealed record PeekedMessage(string? MessageId, IReadOnlyDictionary<string, string?> Headers);
}
