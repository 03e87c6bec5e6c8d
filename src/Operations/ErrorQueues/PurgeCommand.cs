using System.CommandLine;
using OrderSystem.Operations.Connection;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// <c>error-queues purge &lt;queue&gt; --yes</c>: deletes every message of an error queue. Without <c>--yes</c> it asks
/// when a person sits at the terminal, and refuses (exit 2, nothing touched) when not.
/// </summary>
public static class PurgeCommand
{
    public static Command Create(ConnectionOptions connection, Terminal terminal)
    {
        var queue = ErrorQueuesCommand.QueueArgument();
        var yes = new Option<bool>("--yes") { Description = "Confirm: delete the messages without asking." };
        var command = new Command("purge", "Delete every message of an error queue. Irreversible: export first if in doubt.")
        {
            queue, yes,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var name = parseResult.GetRequiredValue(queue);
            var confirmed = parseResult.GetValue(yes);
            if (!confirmed && !terminal.IsInteractive)
            {
                throw CommandFailedException.Usage($"refusing to purge '{name}' without confirmation: pass --yes");
            }

            var broker = connection.ResolveBroker(parseResult, terminal);
            await using var channel = await ErrorQueueChannel.OpenAsync(broker, cancellationToken);
            var depth = await channel.GetDepthAsync(name, cancellationToken);
            if (!confirmed)
            {
                await terminal.Output.WriteAsync($"Delete the {depth} message(s) of '{name}' in vhost '{broker.VirtualHost}'? This cannot be undone. Type 'yes': ");
                var answer = await terminal.Input.ReadLineAsync(cancellationToken);
                if (!string.Equals(answer?.Trim(), "yes", StringComparison.OrdinalIgnoreCase))
                {
                    throw CommandFailedException.Usage($"not confirmed: '{name}' left unchanged");
                }
            }

            var purged = await channel.PurgeAsync(name, cancellationToken);
            await terminal.Output.WriteLineAsync($"Purged {purged} message(s) from '{name}'.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
