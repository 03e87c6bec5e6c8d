using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Net.Sockets;
using OrderSystem.Operations.Connection;
using OrderSystem.Operations.ErrorQueues;
using RabbitMQ.Client.Exceptions;

namespace OrderSystem.Operations;

/// <summary>
/// The command tree of <c>ordersystem-ops</c> and the one place that turns outcomes into exit codes: 0 ok, 1 error,
/// 2 usage. Every failure ends as a single line on stderr.
/// </summary>
public static class OperationsCommandLine
{
    public const string CommandName = "ordersystem-ops";

    public static RootCommand Create(Terminal terminal)
    {
        var connection = new ConnectionOptions();
        var root = new RootCommand("OrderSystem operator tooling: inspect, export, re-drive and purge MassTransit error queues on RabbitMQ.");
        connection.AddTo(root);
        root.Subcommands.Add(ErrorQueuesCommand.Create(connection, terminal));
        return root;
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args, Terminal terminal, CancellationToken cancellationToken = default)
    {
        var parseResult = Create(terminal).Parse(args);
        if (parseResult.Action is ParseErrorAction)
        {
            foreach (var error in parseResult.Errors) await terminal.Error.WriteLineAsync($"error: {error.Message}");
            await terminal.Error.WriteLineAsync($"Run '{CommandName} {CommandPath(parseResult)}--help' for usage.");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = terminal.Output,
            Error = terminal.Error,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await parseResult.InvokeAsync(invocation, cancellationToken);
        }
        catch (CommandFailedException e)
        {
            await terminal.Error.WriteLineAsync($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await terminal.Error.WriteLineAsync("error: cancelled; messages not yet acknowledged stay in their queue");
            return ExitCodes.Error;
        }
        catch (Exception e)
        {
            await terminal.Error.WriteLineAsync($"error: {Describe(e)}");
            return ExitCodes.Error;
        }
    }

    private static string CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = parseResult.CommandResult; result.Parent is CommandResult parent; result = parent)
        {
            names.Insert(0, result.Command.Name);
        }

        return names.Count == 0 ? "" : string.Join(' ', names) + " ";
    }

    /// <summary>One line for an unexpected failure; the usual broker and network failures get a plain sentence.</summary>
    private static string Describe(Exception e) => e switch
    {
        BrokerUnreachableException b => $"cannot connect to the broker: {OneLine(b.InnerException ?? b)}",
        HttpRequestException { InnerException: SocketException s } => $"cannot reach the management API: {s.Message}",
        HttpRequestException h => $"management API request failed: {OneLine(h)}",
        OperationInterruptedException o => $"the broker closed the channel: {o.ShutdownReason?.ReplyText ?? o.Message}",
        _ => $"{e.GetType().Name}: {OneLine(e)}",
    };

    private static string OneLine(Exception e) => e.Message.ReplaceLineEndings(" ");
}
