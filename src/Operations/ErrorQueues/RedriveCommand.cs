using System.CommandLine;
using OrderSystem.Operations.Connection;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// <c>error-queues redrive &lt;queue&gt;</c>: moves selected messages back to the queue they failed in.
/// <para>
/// The whole error queue (as deep as it was at the start) is taken and held unacknowledged. Each selected message is
/// published to its source queue with publisher confirms and acknowledged only after the confirm; the others are
/// returned with one basic.nack(requeue), which puts them back where they were. So: a crash re-delivers rather than
/// loses, and what was not selected keeps its place and its headers.
/// </para>
/// </summary>
public static class RedriveCommand
{
    public static Command Create(ConnectionOptions connection, Terminal terminal)
    {
        var queue = ErrorQueuesCommand.QueueArgument();
        var ids = new Option<string[]>("--message-id")
        {
            Description = "Re-drive the message with this id (repeatable).",
            HelpName = "id",
            AllowMultipleArgumentsPerToken = true,
        };
        var type = new Option<string?>("--message-type")
        {
            Description = "Re-drive messages of this type: urn:message:Namespace:Type, Namespace.Type or Type.",
            HelpName = "type",
        };
        var all = new Option<bool>("--all") { Description = "Re-drive every message of the queue." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what would move; move nothing." };
        var command = new Command("redrive", "Move messages from an error queue back to the queue they failed in (publish with confirm, then ack).")
        {
            queue, ids, type, all, dryRun,
        };
        command.Validators.Add(result =>
        {
            var hasFilter = (result.GetValue(ids)?.Length ?? 0) > 0 || result.GetValue(type) is not null;
            var everything = result.GetValue(all);
            if (!hasFilter && !everything) result.AddError("say which messages to re-drive: --message-id, --message-type or --all");
            if (hasFilter && everything) result.AddError("--all cannot be combined with --message-id or --message-type");
        });

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var broker = connection.ResolveBroker(parseResult, terminal);
            var name = parseResult.GetRequiredValue(queue);
            var wantedIds = new HashSet<string>(parseResult.GetValue(ids) ?? [], StringComparer.OrdinalIgnoreCase);
            var selector = new MessageSelector(parseResult.GetValue(all), wantedIds, parseResult.GetValue(type));
            var dry = parseResult.GetValue(dryRun);

            await using var channel = await ErrorQueueChannel.OpenAsync(broker, cancellationToken);
            var messages = await channel.TakeAsync(name, max: null, cancellationToken);
            var selected = messages.Where(selector.Matches).ToList();
            var now = DateTimeOffset.UtcNow;
            foreach (var message in selected)
            {
                var line = $"{message.MessageId} {ShortType(message)} -> {message.SourceQueue}";
                if (dry)
                {
                    await terminal.Output.WriteLineAsync($"would move {line}");
                    continue;
                }

                await channel.MoveAsync(message, message.SourceQueue, RedriveProperties.For(message, now), cancellationToken);
                await terminal.Output.WriteLineAsync($"moved {line}");
            }

            await channel.ReleaseAsync(cancellationToken);
            var left = messages.Count - (dry ? 0 : selected.Count);
            await terminal.Output.WriteLineAsync(dry
                ? $"Dry run: {selected.Count} of {messages.Count} message(s) would move; nothing changed in '{name}'."
                : $"{selected.Count} message(s) re-driven, {left} left in '{name}'.");

            var missing = wantedIds.Where(id => !messages.Any(m => string.Equals(m.MessageId, id, StringComparison.OrdinalIgnoreCase))).ToList();
            if (missing.Count > 0)
            {
                throw new CommandFailedException($"not found in '{name}': {string.Join(", ", missing)}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string ShortType(ErrorQueueMessage message) =>
        message.MessageTypes.Count == 0 ? "(unknown type)" : message.MessageTypes[0].Replace("urn:message:", "", StringComparison.Ordinal);
}
