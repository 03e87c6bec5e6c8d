using System.Collections.Concurrent;
using MassTransit;
using MassTransit.RabbitMqTransport;
using MassTransit.RabbitMqTransport.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrderSystem.Messaging.Broker;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OrderSystem.Messaging.Queues;

/// <summary>
/// Turns RabbitMQ's refusal to redeclare a queue with other arguments into a clear stop. RabbitMQ never changes an
/// existing queue's type or dead-letter settings: switching <c>Messaging:QueueType</c> on a broker whose queues exist
/// makes every declare fail with PRECONDITION_FAILED ("inequivalent arg 'x-queue-type'"), and MassTransit would retry
/// that forever while the service looks alive. This logs, once, which queue, what the broker said and how to fix it,
/// then stops the service with exit code 1.
/// <para>
/// With quorum queues it looks before the bus starts (<see cref="PreStart"/>): each durable endpoint queue that already exists is declared
/// again, with the exact settings MassTransit will use, on a channel of its own. It cannot leave that to MassTransit's
/// endpoint: MassTransit declares an endpoint's queues concurrently on one channel (with quorum queues, <c>q</c> and
/// <c>q_error</c>), and when the broker closes that channel over the refused declare, RabbitMQ.Client 7.2 disposes the
/// channel's RPC lock under the waiting second declare, which then waits for ever (rabbitmq-dotnet-client #1976, fixed
/// after 7.2.2): the endpoint never faults and never retries. A classic endpoint declares one queue, so its refusal
/// faults the endpoint and MassTransit retries; <see cref="Faulted"/> sees it there, and for endpoints connected after start.
/// </para>
/// </summary>
internal sealed class QueueDeclarationGuard(
    ServiceQueueOptions options,
    BrokerEndpoints broker,
    string serviceName,
    IHostApplicationLifetime lifetime,
    ILogger<QueueDeclarationGuard> logger)
    : IReceiveEndpointObserver, IBusObserver
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(15);
    private readonly ConcurrentQueue<ReceiveSettings> _endpoints = new();
    private int _stopped;

    /// <summary>Remembers an endpoint the bus configures; its settings are final by the time the bus starts.</summary>
    public void Watch(IReceiveEndpointConfigurator endpoint)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfiguration configuration) _endpoints.Enqueue(configuration.Settings);
    }

    public async Task PreStart(IBus bus)
    {
        // Only quorum endpoints declare two queues at once; a classic endpoint's single refused declare faults and retries,
        // and Faulted below sees it. (The check also costs a connection and a few round trips before the bus starts.)
        if (options.QueueType != QueueType.Quorum) return;
        var queues = _endpoints.Where(s => s is { Durable: true, AutoDelete: false, Exclusive: false }).DistinctBy(s => s.QueueName).ToList();
        if (queues.Count == 0) return;

        (string Queue, string Refusal)? refused;
        try
        {
            using var timeout = new CancellationTokenSource(CheckTimeout);
            refused = await FirstRefusedAsync(queues, timeout.Token);
        }
        catch (Exception exception) when (exception is BrokerUnreachableException or OperationCanceledException or IOException
                                              or AlreadyClosedException)
        {
            // MassTransit will keep trying to connect on its own; the fault observer below still covers its declares.
            logger.LogDebug(exception, "Queue declaration check skipped: the broker did not answer");
            return;
        }

        if (refused is not { } refusal) return;
        Stop(refusal.Queue, refusal.Refusal);
        throw new InvalidOperationException($"Queue '{refusal.Queue}' cannot be declared as configured: {refusal.Refusal}");
    }

    /// <summary>
    /// Declares each existing queue again as MassTransit will. A queue that does not exist yet is left for MassTransit to
    /// create (a passive declare finds that, and closes its channel); a declare of an existing queue either changes
    /// nothing or is refused.
    /// </summary>
    private async Task<(string Queue, string Refusal)?> FirstRefusedAsync(IReadOnlyList<ReceiveSettings> queues, CancellationToken cancellationToken)
    {
        await using var connection = await broker.ConnectAsync($"{serviceName} queue check", cancellationToken);
        foreach (var queue in queues)
        {
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            try
            {
                await channel.QueueDeclarePassiveAsync(queue.QueueName, cancellationToken);
            }
            catch (OperationInterruptedException missing) when (missing.ShutdownReason?.ReplyCode == Constants.NotFound)
            {
                continue;
            }

            try
            {
                await channel.QueueDeclareAsync(queue.QueueName, queue.Durable, queue.Exclusive, queue.AutoDelete, Arguments(queue),
                    cancellationToken: cancellationToken);
            }
            catch (OperationInterruptedException refused) when (InequivalentArguments(refused) is { } refusal)
            {
                return (queue.QueueName, refusal);
            }
        }

        return null;
    }

    private static Dictionary<string, object?> Arguments(ReceiveSettings queue)
    {
        var arguments = queue.QueueArguments.ToDictionary(a => a.Key, object? (a) => a.Value);
        if (queue.QueueExpiration is { } expiration) arguments["x-expires"] = (long)expiration.TotalMilliseconds;
        return arguments;
    }

    public Task Faulted(ReceiveEndpointFaulted faulted)
    {
        if (InequivalentArguments(faulted.Exception) is not { } refusal) return Task.CompletedTask;
        Stop(faulted.InputAddress.AbsolutePath.TrimEnd('/').Split('/')[^1], refusal);
        return Task.CompletedTask;
    }

    private void Stop(string queue, string refusal)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        logger.LogCritical(
            "Queue '{Queue}' already exists on the broker with other arguments than this service declares " +
            "(Messaging:QueueType={QueueType}); RabbitMQ cannot change a queue's type or dead-letter settings in place. The broker said: {Refusal}. " +
            "Fix: run with the queue type the broker already has (Messaging:QueueType), or delete the old queues so that they are declared again: " +
            "on a local system stop it and run eng/run.sh --reset (it deletes the local broker and database data); " +
            "on a broker with messages to keep, drain or move them first (docs/reliability.md, \"Switching an existing broker\"). Stopping.",
            queue, options.QueueType.ToString().ToLowerInvariant(), refusal);
        Environment.ExitCode = 1; // a failed start, not a clean stop: a supervisor (DCP, systemd, Kubernetes) shows it as such
        lifetime.StopApplication();
    }

    private static string? InequivalentArguments(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e.Message.Contains("PRECONDITION_FAILED", StringComparison.Ordinal) && e.Message.Contains("inequivalent arg", StringComparison.Ordinal))
                return e.Message;
            if (e is AggregateException aggregate)
                return aggregate.InnerExceptions.Select(InequivalentArguments).FirstOrDefault(m => m is not null);
        }

        return null;
    }

    public Task Ready(ReceiveEndpointReady ready) => Task.CompletedTask;
    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;
    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;
    public void PostCreate(IBus bus) { }
    public void CreateFaulted(Exception exception) { }
    public Task PostStart(IBus bus, Task<BusReady> busReady) => Task.CompletedTask;
    public Task StartFaulted(IBus bus, Exception exception) => Task.CompletedTask;
    public Task PreStop(IBus bus) => Task.CompletedTask;
    public Task PostStop(IBus bus) => Task.CompletedTask;
    public Task StopFaulted(IBus bus, Exception exception) => Task.CompletedTask;
}
