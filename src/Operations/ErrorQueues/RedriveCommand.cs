using System.CommandLine;
using OrderSystem.Operations.Connection;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// <c>error-queues redrive &lt;queue&gt; (--message-id … | --message-type … | --all)</c> or
/// <c>error-queues redrive --group &lt;id&gt;</c>: moves messages back to the queue they failed in
/// (<see cref="ErrorQueueOperations.RedriveAsync"/>, <see cref="ErrorQueueOperations.RedriveGroupAsync"/>).
/// <para>
/// The whole dead-letter queue (as deep as it was at the start) is taken and held unacknowledged. Each selected message
/// is published to its source queue with publisher confirms and acknowledged only after the confirm; the others are
/// returned with one basic.nack(requeue), which puts them back where they were. So: a crash re-delivers rather than
/// loses, and what was not selected keeps its place and its headers.
/// </para>
/// </summary>
public static class RedriveCommand
{
    public static Command Create(ConnectionOptions connection, Terminal terminal)
    {
        var queue = ErrorQueuesCommand.QueueArgument(optional: true);
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
        var group = ErrorQueuesCommand.GroupOption("Re-drive every message of this failure group (see 'groups'), from whichever queue holds it.");
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what would move; move nothing." };
        var command = new Command("redrive", "Move messages from a dead-letter queue back to the queue they failed in (publish with confirm, then ack).")
        {
            queue, ids, type, all, group, dryRun,
        };
        command.Validators.Add(result =>
        {
            var hasFilter = (result.GetValue(ids)?.Length ?? 0) > 0 || result.GetValue(type) is not null;
            var everything = result.GetValue(all);
            if (result.GetValue(group) is not null)
            {
                if (hasFilter || everything || result.GetValue(queue) is not null)
                    result.AddError("--group cannot be combined with a queue, --message-id, --message-type or --all");
                return;
            }

            if (result.GetValue(queue) is null) result.AddError("say which queue (or --group <id>)");
            if (!hasFilter && !everything) result.AddError("say which messages to re-drive: --message-id, --message-type, --all or --group");
            if (hasFilter && everything) result.AddError("--all cannot be combined with --message-id or --message-type");
        });

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var groupId = parseResult.GetValue(group);
            var dry = parseResult.GetValue(dryRun);
            var operations = ErrorQueuesCommand.Operations(connection, parseResult, terminal, management: groupId is not null);
            Func<RedrivenMessage, Task> print = m =>
                terminal.Output.WriteLineAsync($"{(dry ? "would move" : "moved")} {m.MessageId} {m.MessageType} -> {m.TargetQueue}");

            if (groupId is not null)
            {
                var moved = await operations.RedriveGroupAsync(groupId, dry, print, cancellationToken);
                await terminal.Output.WriteLineAsync(dry
                    ? $"Dry run: {moved.Messages.Count} message(s) of group {groupId} would move; nothing changed in '{moved.Queue}'."
                    : $"{moved.Messages.Count} message(s) of group {groupId} re-driven, {moved.Left} left in '{moved.Queue}'.");
                return ExitCodes.Ok;
            }

            var name = parseResult.GetRequiredValue(queue);
            var wantedIds = new HashSet<string>(parseResult.GetValue(ids) ?? [], StringComparer.OrdinalIgnoreCase);
            var selector = new MessageSelector(parseResult.GetValue(all), wantedIds, parseResult.GetValue(type));
            var result = await operations.RedriveAsync(name, selector, dry, print, cancellationToken);
            await terminal.Output.WriteLineAsync(dry
                ? $"Dry run: {result.Messages.Count} of {result.Left} message(s) would move; nothing changed in '{name}'."
                : $"{result.Messages.Count} message(s) re-driven, {result.Left} left in '{name}'.");
            if (result.NotFound.Count > 0)
            {
                throw new CommandFailedException($"not found in '{name}': {string.Join(", ", result.NotFound)}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
