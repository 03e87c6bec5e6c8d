using System.Text;
using OrderSystem.Operations;
using OrderSystem.Operations.ErrorQueues;

namespace OrderSystem.AppHost.Operations;

/// <summary>
/// The operator tool's dead-letter operations as buttons on the broker's resource in the dashboard, on the same code
/// (<see cref="ErrorQueueOperations"/>, src/Operations) and with the same safety: a re-drive publishes with publisher
/// confirms before it acknowledges, a purge asks for confirmation, messages outside the selection keep their order.
/// </summary>
internal static class DeadLetterCommands
{
    public const string ListQueues = "dead-letter-queues";
    public const string ListGroups = "dead-letter-groups";
    public const string RedriveGroup = "dead-letter-redrive-group";
    public const string RedriveAll = "dead-letter-redrive-all";
    public const string PurgeGroup = "dead-letter-purge-group";
    private const string GroupArgument = "group";

    public static IResourceBuilder<T> WithDeadLetterCommands<T>(this IResourceBuilder<T> broker)
        where T : IResourceWithConnectionString, IResourceWithEndpoints
    {
        var resource = broker.Resource;
        return broker
            .WithCommand(ListQueues, "Dead-letter queues", context => Run(resource, context, async ops =>
            {
                var queues = await ops.ListQueuesAsync(context.CancellationToken);
                var table = new StringBuilder("| queue | messages |\n|---|---:|\n");
                foreach (var queue in queues) table.Append($"| `{queue.Name}` | {queue.Messages ?? 0} |\n");
                return CommandResults.Success($"{queues.Count} dead-letter queues, {queues.Sum(q => q.Messages ?? 0)} messages",
                    table.ToString(), CommandResultFormat.Markdown);
            }), new CommandOptions { Description = "Every _error and _skipped queue with its depth.", IconName = "TextBulletListSquare" })
            .WithCommand(ListGroups, "Dead letters by cause", context => Run(resource, context, async ops =>
            {
                var groups = await ops.ListGroupsAsync(context.CancellationToken);
                return CommandResults.Success($"{groups.Count} groups, {groups.Sum(g => g.Count)} messages", Describe(groups), CommandResultFormat.Markdown);
            }), new CommandOptions
            {
                Description = "Dead letters grouped by queue, exception type and message type, with counts and a sample.",
                IconName = "GroupList",
                IsHighlighted = true,
            })
            .WithCommand(RedriveGroup, "Re-drive a group", context => Run(resource, context, async ops =>
            {
                var group = context.Arguments?[GroupArgument].Value?.Trim() ?? "";
                var result = await ops.RedriveGroupAsync(group, cancellationToken: context.CancellationToken);
                return result.NotFound.Count > 0 || result.Messages.Count == 0
                    ? CommandResults.Failure($"No dead letters in group '{group}' (list them with \"Dead letters by cause\").")
                    : CommandResults.Success($"Re-drove {result.Messages.Count} message(s) of group {group} to {Targets(result)}; {result.Left} left in {result.Queue}.");
            }), new CommandOptions
            {
                Description = "Moves every message of one group back to the queue it failed in (after the cause is fixed).",
                IconName = "ArrowRedo",
                Arguments = [new InteractionInput { Name = GroupArgument, Label = "Group id", InputType = InputType.Text, Required = true, Placeholder = "from \"Dead letters by cause\"" }],
            })
            .WithCommand(RedriveAll, "Re-drive all dead letters", context => Run(resource, context, async ops =>
            {
                var moved = 0;
                foreach (var queue in (await ops.ListQueuesAsync(context.CancellationToken)).Where(q => q.Name.EndsWith("_error", StringComparison.Ordinal)))
                {
                    var result = await ops.RedriveAsync(queue.Name, new MessageSelector(true, new HashSet<string>(), null), cancellationToken: context.CancellationToken);
                    moved += result.Messages.Count;
                }

                return CommandResults.Success($"Re-drove {moved} message(s) from every _error queue to the queues they failed in.");
            }), new CommandOptions
            {
                Description = "Moves every message of every _error queue back to the queue it failed in.",
                IconName = "ArrowRepeatAll",
                ConfirmationMessage = "Re-drive every dead letter in every _error queue? Do it once the cause is fixed: messages that fail again come back.",
            })
            .WithCommand(PurgeGroup, "Purge a group", context => Run(resource, context, async ops =>
            {
                var group = context.Arguments?[GroupArgument].Value?.Trim() ?? "";
                var result = await ops.PurgeGroupAsync(group, context.CancellationToken);
                return result.Purged == 0
                    ? CommandResults.Failure($"No dead letters in group '{group}'.")
                    : CommandResults.Success($"Purged {result.Purged} message(s) of group {group} from {result.Queue}; {result.Left} left.");
            }), new CommandOptions
            {
                Description = "Deletes every message of one group for good.",
                IconName = "Delete",
                ConfirmationMessage = "Purge this group's dead letters? They are deleted for good.",
                Arguments = [new InteractionInput { Name = GroupArgument, Label = "Group id", InputType = InputType.Text, Required = true }],
            });
    }

    private static async Task<ErrorQueueOperations> OperationsFor(IResourceWithConnectionString broker, CancellationToken cancellationToken)
    {
        BrokerManagement access;
        try
        {
            access = await BrokerManagement.ForAsync(broker, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            throw new CommandFailedException(e.Message);
        }

        return ErrorQueueOperations.Create(access.AmqpUri, access.ManagementUrlWithCredentials);
    }

    private static async Task<ExecuteCommandResult> Run(IResourceWithConnectionString broker, ExecuteCommandContext context,
        Func<ErrorQueueOperations, Task<ExecuteCommandResult>> action)
    {
        try
        {
            return await action(await OperationsFor(broker, context.CancellationToken));
        }
        catch (CommandFailedException e)
        {
            return CommandResults.Failure(e.Message);
        }
    }

    private static string Targets(RedriveResult result) =>
        string.Join(", ", result.Messages.Select(m => m.TargetQueue).Distinct().Select(q => $"`{q}`"));

    private static string Describe(IReadOnlyList<FailureGroup> groups)
    {
        if (groups.Count == 0) return "No dead letters.";
        var table = new StringBuilder("| group | queue | cause | message type | count | first seen | last seen | sample |\n|---|---|---|---|---:|---|---|---|\n");
        foreach (var g in groups)
        {
            var type = g.MessageType[(g.MessageType.LastIndexOf(':') + 1)..];
            table.Append($"| `{g.Id}` | `{g.Queue}` | {g.Cause} | {type} | {g.Count} | {g.FirstSeen:u} | {g.LastSeen:u} | {Escape(g.SampleFault)} |\n");
        }

        return table.ToString();
    }

    private static string Escape(string? text) => (text ?? "").Replace("|", "\\|").Replace('\n', ' ');
}
