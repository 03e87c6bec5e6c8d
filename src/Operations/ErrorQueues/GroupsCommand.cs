using System.CommandLine;
using System.Globalization;
using OrderSystem.Operations.Connection;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// <c>error-queues groups</c>: the dead letters of every <c>_error</c> and <c>_skipped</c> queue of the vhost, grouped by
/// (queue, cause, message type) with counts, first and last seen and a sample; read without consuming anything.
/// </summary>
public static class GroupsCommand
{
    public static Command Create(ConnectionOptions connection, Terminal terminal)
    {
        var command = new Command("groups", "Group the dead letters of the vhost by queue, cause (exception type, or reason) and message type, without consuming them.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var operations = ErrorQueuesCommand.Operations(connection, parseResult, terminal, management: true);
            var groups = await operations.ListGroupsAsync(cancellationToken);
            if (groups.Count == 0)
            {
                await terminal.Output.WriteLineAsync($"No dead letters in vhost '{operations.VirtualHost}'.");
                return ExitCodes.Ok;
            }

            await terminal.Output.WriteLineAsync(
                $"{groups.Count} failure group(s), {groups.Sum(g => g.Count)} message(s) in vhost '{operations.VirtualHost}'.");
            foreach (var group in groups)
            {
                await terminal.Output.WriteLineAsync();
                await WriteAsync(terminal.Output, group);
            }

            await terminal.Output.WriteLineAsync();
            await terminal.Output.WriteLineAsync("Re-drive a group: error-queues redrive --group <id>; delete one: error-queues purge --group <id> --yes");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static async Task WriteAsync(TextWriter output, FailureGroup group)
    {
        await output.WriteLineAsync($"{group.Id}  {group.Count} message(s) in {group.Queue}");
        await Line("cause", group.Cause);
        await Line("message type", group.MessageType);
        await Line("first seen", Time(group.FirstSeen));
        await Line("last seen", Time(group.LastSeen));
        await Line("sample", $"{group.SampleMessageId ?? "(no message id)"}: {group.SampleFault ?? "(no fault message)"}");
        if (group.Redriven > 0) await Line("re-driven", $"{group.Redriven} of them failed again after a re-drive");
        await Line("source queue", group.SourceQueue);

        Task Line(string label, string? value) => value is null ? Task.CompletedTask : output.WriteLineAsync($"  {label,-13}{value}");
    }

    private static string? Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture);
}
