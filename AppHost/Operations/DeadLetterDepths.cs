using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrderSystem.AppHost.Operations;

/// <summary>
/// Each service's resource in the dashboard shows how many of its messages wait in dead-letter queues (property
/// <c>dead letters</c>, e.g. <c>2 (order-confirmed_error: 2)</c>). The broker's management API says which service
/// consumes which queue: every service names its broker connection after itself (OTEL_SERVICE_NAME, the resource's
/// name; see AddMessageBus), and a queue's <c>_error</c>/<c>_skipped</c> twin belongs to the queue's consumer.
/// </summary>
internal static class DeadLetterDepths
{
    public const string PropertyName = "dead letters";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    public static void ShowDeadLetterDepths(this IDistributedApplicationBuilder builder, IResourceWithConnectionString broker, params string[] services)
    {
        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>((@event, cancellationToken) =>
        {
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            var model = @event.Services.GetRequiredService<DistributedApplicationModel>();
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DeadLetterDepths));
            var stopping = @event.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            var instances = new ConcurrentDictionary<string, ConcurrentDictionary<string, byte>>(); // resource → its instance ids
            _ = Task.Run(async () =>
            {
                try
                {
                    await foreach (var change in notifications.WatchAsync(stopping))
                    {
                        if (services.Contains(change.Resource.Name)) instances.GetOrAdd(change.Resource.Name, static _ => new())[change.ResourceId] = 0;
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }, stopping);
            _ = Task.Run(async () =>
            {
                var owners = new Dictionary<string, string>(); // queue → service, remembered while the service is stopped
                using var timer = new PeriodicTimer(Interval);
                try
                {
                    await notifications.WaitForResourceHealthyAsync(broker.Name, stopping);
                    do
                    {
                        try
                        {
                            var depths = await ReadAsync(broker, owners, stopping);
                            foreach (var service in services)
                            {
                                var mine = depths.Where(d => d.Service == service).ToList();
                                var value = $"{mine.Sum(d => d.Messages)}" + (mine.Count == 0 ? "" : $" ({string.Join(", ", mine.Select(d => $"{d.Queue}: {d.Messages}"))})");
                                var resource = model.Resources.Single(r => r.Name == service);
                                foreach (var id in instances.GetValueOrDefault(service)?.Keys ?? Enumerable.Empty<string>())
                                {
                                    await notifications.PublishUpdateAsync(resource, id, state => state with
                                    {
                                        Properties = state.Properties.Where(p => p.Name != PropertyName)
                                            .Append(new ResourcePropertySnapshot(PropertyName, value)).ToImmutableArray(),
                                    });
                                }
                            }
                        }
                        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException or TaskCanceledException && !stopping.IsCancellationRequested)
                        {
                            logger.LogDebug(e, "Dead-letter depths not read this time");
                        }
                    }
                    while (await timer.WaitForNextTickAsync(stopping));
                }
                catch (OperationCanceledException)
                {
                }
            }, stopping);
            return Task.CompletedTask;
        });
    }

    private static async Task<List<(string Service, string Queue, long Messages)>> ReadAsync(
        IResourceWithConnectionString broker, Dictionary<string, string> owners, CancellationToken cancellationToken)
    {
        using var http = (await BrokerManagement.ForAsync(broker, cancellationToken)).CreateClient();

        // A consumer names its connection by address ("127.0.0.1:40112 -> 127.0.0.1:5670"); the name the service gave
        // it is on the connection, as the client property connection_name.
        var services = new Dictionary<string, string>();
        foreach (var connection in (await http.GetFromJsonAsync<JsonElement>("/api/connections", cancellationToken)).EnumerateArray())
        {
            if (connection.TryGetProperty("name", out var name)
                && connection.TryGetProperty("client_properties", out var client)
                && client.TryGetProperty("connection_name", out var given) && given.ValueKind == JsonValueKind.String)
            {
                services[name.GetString()!] = given.GetString()!;
            }
        }

        foreach (var consumer in (await http.GetFromJsonAsync<JsonElement>("/api/consumers", cancellationToken)).EnumerateArray())
        {
            var queue = consumer.GetProperty("queue").GetProperty("name").GetString();
            var connection = consumer.TryGetProperty("channel_details", out var channel) && channel.TryGetProperty("connection_name", out var name) ? name.GetString() : null;
            if (queue is not null && connection is not null && services.TryGetValue(connection, out var service)) owners[queue] = service;
        }

        var result = new List<(string, string, long)>();
        foreach (var queue in (await http.GetFromJsonAsync<JsonElement>("/api/queues", cancellationToken)).EnumerateArray())
        {
            var queueName = queue.GetProperty("name").GetString()!;
            var source = queueName.EndsWith("_error", StringComparison.Ordinal) ? queueName[..^"_error".Length]
                : queueName.EndsWith("_skipped", StringComparison.Ordinal) ? queueName[..^"_skipped".Length] : null;
            if (source is null || !owners.TryGetValue(source, out var service)) continue;
            var messages = queue.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0;
            if (messages > 0) result.Add((service, queueName, messages));
        }

        return result;
    }
}
