using System.CommandLine;
using OrderSystem.Operations.Connection;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary><c>ordersystem-ops error-queues …</c>: MassTransit's <c>&lt;queue&gt;_error</c> queues, the system's dead-letter queues.</summary>
public static class ErrorQueuesCommand
{
    public const string ErrorSuffix = "_error";

    public static Command Create(ConnectionOptions connection, Terminal terminal)
    {
        var command = new Command("error-queues", "Inspect, export, re-drive and purge MassTransit error queues (<queue>_error).");
        command.Subcommands.Add(ListCommand.Create(connection, terminal));
        command.Subcommands.Add(ShowCommand.Create(connection, terminal));
        command.Subcommands.Add(RedriveCommand.Create(connection, terminal));
        command.Subcommands.Add(PurgeCommand.Create(connection, terminal));
        command.Subcommands.Add(ExportCommand.Create(connection, terminal));
        return command;
    }

    /// <summary>The <c>&lt;queue&gt;</c> argument: an error queue's name, which must end in "_error".</summary>
    public static Argument<string> QueueArgument()
    {
        var argument = new Argument<string>("queue") { Description = "The error queue, e.g. order-state_error." };
        argument.Validators.Add(result =>
        {
            var name = result.GetValueOrDefault<string>();
            if (name is not null && !name.EndsWith(ErrorSuffix, StringComparison.Ordinal))
            {
                result.AddError($"'{name}' is not an error queue (its name must end in {ErrorSuffix})");
            }
        });
        return argument;
    }

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
