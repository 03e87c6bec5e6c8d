using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrderSystem.Messaging.Queues;

/// <summary>
/// Turns RabbitMQ's refusal to redeclare a queue with other arguments into a clear stop. RabbitMQ never changes an
/// existing queue's type or dead-letter settings: switching <c>Messaging:QueueType</c> on a broker whose queues exist
/// makes every declare fail with PRECONDITION_FAILED ("inequivalent arg 'x-queue-type'"), and MassTransit would retry
/// that forever while the service looks alive. This logs, once, which queue, what the broker said and how to fix it,
/// then stops the service.
/// </summary>
internal sealed class QueueDeclarationGuard(ServiceQueueOptions options, IHostApplicationLifetime lifetime, ILogger<QueueDeclarationGuard> logger)
    : IReceiveEndpointObserver
{
    private int _stopped;

    public Task Faulted(ReceiveEndpointFaulted faulted)
    {
        if (InequivalentArguments(faulted.Exception) is not { } refusal || Interlocked.Exchange(ref _stopped, 1) == 1) return Task.CompletedTask;

        var queue = faulted.InputAddress.AbsolutePath.TrimEnd('/').Split('/')[^1];
        logger.LogCritical(
            "Queue '{Queue}' already exists on the broker with other arguments than this service declares " +
            "(Messaging:QueueType={QueueType}); RabbitMQ cannot change a queue's type or dead-letter settings in place. The broker said: {Refusal}. " +
            "Fix: run with the queue type the broker already has (Messaging:QueueType), or delete the old queues so that they are declared again: " +
            "on a local system stop it and run eng/run.sh --reset (it deletes the local broker and database data); " +
            "on a broker with messages to keep, drain or move them first (docs/reliability.md, \"Switching an existing broker\"). Stopping.",
            queue, options.QueueType.ToString().ToLowerInvariant(), refusal);
        Environment.ExitCode = 1; // a failed start, not a clean stop: a supervisor (DCP, systemd, Kubernetes) shows it as such
        lifetime.StopApplication();
        return Task.CompletedTask;
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
}
