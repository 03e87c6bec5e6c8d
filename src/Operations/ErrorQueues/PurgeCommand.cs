using System.CommandLine;
using OrderSystem.Operations.Connection;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// <c>error-queues purge &lt;queue&gt; --yes</c> deletes every message of a dead-letter queue;
/// <c>error-queues purge --group &lt;id&gt; --yes</c> deletes exactly the messages of one failure group, the others of its
/// queue staying in order. Without <c>--yes</c> it asks when a person sits at the terminal, and refuses (exit 2, nothing
/// touched) when not.
/// </summary>
public static class PurgeCommand
{
    public static Command Create(ConnectionOptions connection, Terminal terminal)
    {
        var queue = ErrorQueuesCommand.QueueArgument(optional: true);
        var group = ErrorQueuesCommand.GroupOption("Delete exactly the messages of this failure group (see 'groups').");
        var yes = new Option<bool>("--yes") { Description = "Confirm: delete the messages without asking." };
        var command = new Command("purge", "Delete every message of a dead-letter queue, or of one failure group. Irreversible: export first if in doubt.")
        {
            queue, group, yes,
        };
        command.Validators.Add(result =>
        {
            var hasQueue = result.GetValue(queue) is not null;
            var hasGroup = result.GetValue(group) is not null;
            if (hasQueue == hasGroup) result.AddError("say what to purge: a queue or --group <id>, not both");
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var groupId = parseResult.GetValue(group);
            var name = parseResult.GetValue(queue);
            var what = groupId is null ? $"'{name}'" : $"group '{groupId}'";
            var confirmed = parseResult.GetValue(yes);
            if (!confirmed && !terminal.IsInteractive)
            {
                throw CommandFailedException.Usage($"refusing to purge {what} without confirmation: pass --yes");
            }

            var operations = ErrorQueuesCommand.Operations(connection, parseResult, terminal, management: groupId is not null);
            if (!confirmed)
            {
                var question = groupId is null
                    ? $"Delete the {await DepthAsync(operations, name!, cancellationToken)} message(s) of '{name}' in vhost '{operations.VirtualHost}'?"
                    : await GroupQuestionAsync(operations, groupId, cancellationToken);
                await terminal.Output.WriteAsync($"{question} This cannot be undone. Type 'yes': ");
                var answer = await terminal.Input.ReadLineAsync(cancellationToken);
                if (!string.Equals(answer?.Trim(), "yes", StringComparison.OrdinalIgnoreCase))
                {
                    throw CommandFailedException.Usage($"not confirmed: {what} left unchanged");
                }
            }

            if (groupId is null)
            {
                var purged = await operations.PurgeAsync(name!, cancellationToken);
                await terminal.Output.WriteLineAsync($"Purged {purged.Purged} message(s) from '{purged.Queue}'.");
            }
            else
            {
                var purged = await operations.PurgeGroupAsync(groupId, cancellationToken);
                await terminal.Output.WriteLineAsync($"Purged {purged.Purged} message(s) of group {groupId} from '{purged.Queue}', {purged.Left} left.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<uint> DepthAsync(ErrorQueueOperations operations, string queue, CancellationToken cancellationToken)
    {
        await using var channel = await ErrorQueueChannel.OpenAsync(operations.Broker, cancellationToken);
        return await channel.GetDepthAsync(queue, cancellationToken);
    }

    private static async Task<string> GroupQuestionAsync(ErrorQueueOperations operations, string groupId, CancellationToken cancellationToken)
    {
        var group = (await operations.ListGroupsAsync(cancellationToken)).FirstOrDefault(g => string.Equals(g.Id, groupId, StringComparison.OrdinalIgnoreCase))
                    ?? throw new CommandFailedException($"no failure group '{groupId}' in vhost '{operations.VirtualHost}' (list them with: error-queues groups)");
        return $"Delete the {group.Count} message(s) of group {group.Id} ({group.Cause}, {group.MessageType}) in '{group.Queue}'?";
    }
}
