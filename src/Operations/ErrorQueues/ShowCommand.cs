using System.CommandLine;
using OrderSystem.Operations.Connection;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// <c>error-queues show &lt;queue&gt;</c>: what failed and why, per message, without consuming anything (the messages are
/// read with basic.get and returned with basic.nack(requeue); see <see cref="ErrorQueueChannel"/>).
/// </summary>
public static class ShowCommand
{
    public static Command Create(ConnectionOptions connection, Terminal terminal)
    {
        var queue = ErrorQueuesCommand.QueueArgument();
        var max = ErrorQueuesCommand.MaxOption("Show at most this many messages from the head of the queue (default 20).");
        var command = new Command("show", "Show the messages of an error queue (type, id, exception, attempts, times, source queue) without consuming them.")
        {
            queue, max,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var broker = connection.ResolveBroker(parseResult, terminal);
            var name = parseResult.GetRequiredValue(queue);
            await using var channel = await ErrorQueueChannel.OpenAsync(broker, cancellationToken);
            var depth = await channel.GetDepthAsync(name, cancellationToken);
            var messages = await channel.TakeAsync(name, parseResult.GetValue(max) ?? 20, cancellationToken);
            await channel.ReleaseAsync(cancellationToken);

            await terminal.Output.WriteLineAsync($"{name} in vhost '{broker.VirtualHost}': {depth} message(s), showing {messages.Count}.");
            foreach (var message in messages)
            {
                await terminal.Output.WriteLineAsync();
                await WriteAsync(terminal.Output, message);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    public static async Task WriteAsync(TextWriter output, ErrorQueueMessage message)
    {
        await output.WriteLineAsync($"#{message.Position} {message.MessageId ?? "(no message id)"}");
        await Line("type", message.MessageTypes.Count > 0 ? message.MessageTypes[0] : null);
        await Line("exception", message.ExceptionType is null ? null : $"{message.ExceptionType}: {message.ExceptionMessage}");
        if (message.Reason is { } reason && reason != "fault") await Line("reason", reason);
        if (message.DeadLetterReason is { } death)
        {
            await Line("reason", BrokerDeadLetterReasons.Describe(death));
            await Line("dead-letter", $"by RabbitMQ ({FaultHeaders.FirstDeathReason} {death}) from {message.DeadLetteredFrom ?? "(unknown queue)"}");
        }

        await Line("attempts", Attempts(message));
        await Line("failed at", message.FaultedAt);
        if (message.FirstFaultedAt != message.FaultedAt) await Line("first failed", message.FirstFaultedAt);
        await Line("sent at", message.SentTime);
        await Line("source queue", message.InputAddress is { } input ? $"{message.SourceQueue} ({input})"
            : message.DeadLetteredFrom is not null ? $"{message.SourceQueue} (from {FaultHeaders.FirstDeathQueue})"
            : $"{message.SourceQueue} (from the error queue's name)");
        await Line("consumer", message.ConsumerType);
        if (message.RedriveCount > 0) await Line("re-driven", $"{message.RedriveCount} time(s), last at {message.Header(FaultHeaders.RedrivenAt)}");

        Task Line(string label, string? value) => value is null ? Task.CompletedTask : output.WriteLineAsync($"  {label,-13}{value}");
    }

    private static string? Attempts(ErrorQueueMessage message)
    {
        if (message.Attempts is not { } attempts) return null;
        var parts = new List<string>();
        if (message.RetryCount is { } retries) parts.Add($"{retries} immediate retr{(retries == 1 ? "y" : "ies")}");
        if (message.RedeliveryCount is { } redeliveries) parts.Add($"{redeliveries} redeliver{(redeliveries == 1 ? "y" : "ies")}");
        return parts.Count == 0 ? $"{attempts}" : $"{attempts} ({string.Join(", ", parts)})";
    }
}
