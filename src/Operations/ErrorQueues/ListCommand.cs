using System.CommandLine;
using OrderSystem.Operations.Connection;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary><c>error-queues list</c>: every <c>_error</c> and <c>_skipped</c> queue of the vhost, with its depth (management API).</summary>
public static class ListCommand
{
    public static Command Create(ConnectionOptions connection, Terminal terminal)
    {
        var command = new Command("list", "List the dead-letter queues (_error, _skipped) of a vhost with their depth (figures refresh every few seconds on the broker).");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var vhost = connection.ResolveVirtualHost(parseResult, terminal);
            var queues = await ErrorQueueOperations.ListQueuesAsync(connection.ResolveManagement(parseResult, terminal), vhost, cancellationToken);
            if (queues.Count == 0)
            {
                await terminal.Output.WriteLineAsync($"No error queues in vhost '{vhost}'.");
                return ExitCodes.Ok;
            }

            var rows = new List<string[]> { new[] { "VHOST", "QUEUE", "MESSAGES", "READY", "UNACKED", "CONSUMERS" } };
            rows.AddRange(queues.Select(q => new[]
            {
                q.VirtualHost, q.Name, Number(q.Messages), Number(q.MessagesReady), Number(q.MessagesUnacknowledged), Number(q.Consumers),
            }));
            var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
            foreach (var row in rows)
            {
                await terminal.Output.WriteLineAsync(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    // The management API omits the figures of a queue it has not sampled yet.
    private static string Number(long? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?";
}
