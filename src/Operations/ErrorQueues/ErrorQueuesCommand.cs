using System.CommandLine;
using OrderSystem.Operations.Connection;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// <c>ordersystem-ops error-queues …</c>: MassTransit's dead-letter queues, <c>&lt;queue&gt;_error</c> and
/// <c>&lt;queue&gt;_skipped</c>. Each subcommand parses its options and prints; the work is <see cref="ErrorQueueOperations"/>'s.
/// </summary>
public static class ErrorQueuesCommand
{
    public static Command Create(ConnectionOptions connection, Terminal terminal)
    {
        var command = new Command("error-queues", "Inspect, group, export, re-drive and purge MassTransit dead-letter queues (<queue>_error, <queue>_skipped).");
        command.Subcommands.Add(ListCommand.Create(connection, terminal));
        command.Subcommands.Add(GroupsCommand.Create(connection, terminal));
        command.Subcommands.Add(ShowCommand.Create(connection, terminal));
        command.Subcommands.Add(RedriveCommand.Create(connection, terminal));
        command.Subcommands.Add(PurgeCommand.Create(connection, terminal));
        command.Subcommands.Add(ExportCommand.Create(connection, terminal));
        return command;
    }

    /// <summary>The operations on the broker the options and environment name; the management API only when <paramref name="management"/>.</summary>
    public static ErrorQueueOperations Operations(ConnectionOptions connection, ParseResult parseResult, Terminal terminal, bool management) =>
        new(connection.ResolveBroker(parseResult, terminal), management ? connection.ResolveManagement(parseResult, terminal) : null);

    /// <summary>The <c>&lt;queue&gt;</c> argument: a dead-letter queue's name, which must end in "_error" or "_skipped".</summary>
    public static Argument<string> QueueArgument(bool optional = false)
    {
        var argument = new Argument<string>("queue")
        {
            Description = "The dead-letter queue, e.g. order-state_error or reserve-stock_skipped.",
            Arity = optional ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne,
        };
        argument.Validators.Add(result =>
        {
            var name = result.GetValueOrDefault<string>();
            if (name is not null && !DeadLetterQueueNames.IsDeadLetterQueue(name))
            {
                result.AddError($"'{name}' is not a dead-letter queue (its name must end in {DeadLetterQueueNames.ErrorSuffix} or {DeadLetterQueueNames.SkippedSuffix})");
            }
        });
        return argument;
    }

    /// <summary>The <c>--group</c> option: a failure group's id, as <c>groups</c> prints it.</summary>
    public static Option<string?> GroupOption(string description) => new("--group") { Description = description, HelpName = "id" };

    /// <summary>The <c>--max</c> option: how many messages from the head of the queue to read.</summary>
    public static Option<int?> MaxOption(string description)
    {
        var option = new Option<int?>("--max") { Description = description, HelpName = "n" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1) result.AddError("--max must be at least 1");
        });
        return option;
    }
}
