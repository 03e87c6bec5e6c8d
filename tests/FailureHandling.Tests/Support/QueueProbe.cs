using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrderSystem.Testing.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OrderSystem.FailureHandling.Tests.Support;

/// <summary>
/// The tests' own view of the broker, independent of the code under test: exact ready count over AMQP (passive declare),
/// the messages of a queue with their headers (management API "get" with requeue), and raw publishing of bytes that no
/// MassTransit producer would send (malformed JSON, unknown message types).
/// </summary>
public sealed class QueueProbe : IAsyncDisposable
{
    private readonly IsolatedEnvironment _environment;
    private readonly HttpClient _http;
    private IConnection? _connection;

    public QueueProbe(IsolatedEnvironment environment)
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
        await using var channel = await ChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    /// <summary>Publishes raw bytes straight into <paramref name="queue"/> (default exchange).</summary>
    public async Task PublishRawAsync(string queue, string body, string contentType, string messageId)
    {
        await using var channel = await ChannelAsync();
        var properties = new BasicProperties { ContentType = contentType, MessageId = messageId, Persistent = true };
        await channel.BasicPublishAsync("", queue, true, properties, Encoding.UTF8.GetBytes(body));
    }

    /// <summary>The queue's messages, head first: message id and headers (as text); empty when the queue does not exist.</summary>
    public async Task<IReadOnlyList<PeekedMessage>> PeekAsync(string queue)
    {
        var path = $"queues/{Uri.EscapeDataString(_environment.VirtualHost)}/{Uri.EscapeDataString(queue)}/get";
        using var response = await _http.PostAsJsonAsync(path, new { count = 1000, ackmode = "ack_requeue_true", encoding = "auto", truncate = 50000 });
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return []; // the queue does not exist (yet)
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

    private async Task<IChannel> ChannelAsync()
    {
        _connection ??= await new ConnectionFactory { Uri = _environment.RabbitMqUri }.CreateConnectionAsync();
        return await _connection.CreateChannelAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_connection is not null) await _connection.DisposeAsync();
    }

    public sealed record PeekedMessage(string? MessageId, IReadOnlyDictionary<string, string?> Headers)
    {
        public string? Header(string name) => Headers.GetValueOrDefault(name);

        /// <summary>This message, or a redelivered copy of it (MassTransit gives the copy a new id and keeps the original in <c>MT-OriginalMessageId</c>).</summary>
        public bool IsCopyOf(Guid messageId) => MessageId == messageId.ToString() || Header("MT-OriginalMessageId") == messageId.ToString();

        public override string ToString() => $"{MessageId} [{string.Join("; ", Headers.Where(h => !h.Key.StartsWith("MT-Host")).Select(h => $"{h.Key}={h.Value?[..Math.Min(h.Value.Length, 80)]}"))}]";
    }
}
