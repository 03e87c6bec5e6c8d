using OrderSystem.Operations.ErrorQueues;
using OrderSystem.Operations.Tests.Support;
using OrderSystem.Testing.Operations;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Operations.Tests.ErrorQueues;

/// <summary>
/// Dead letters by cause: a poisoned batch of two causes becomes two groups; one group is re-driven after its fix (each
/// message processed once) or purged (only with --yes) while the other group stays, in order, untouched.
/// </summary>
public sealed class GroupsCommandSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private readonly BrokerProbe _probe = new(environment);

    [Fact]
    public async Task Should_list_a_poisoned_batch_of_two_causes_as_two_groups_with_counts_times_and_a_sample()
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        var (ids, invalid, argument) = await PoisonAsync(work);

        var groups = await GroupsOf(work);

        groups.Select(g => (g.Cause, g.Count)).ShouldBe([(typeof(InvalidOperationException).FullName!, 3), (typeof(ArgumentException).FullName!, 2)]);
        var first = groups[0];
        first.Id.ShouldMatch("^[0-9a-f]{8}$");
        first.MessageType.ShouldBe($"urn:message:{typeof(DoWork).Namespace}:{nameof(DoWork)}");
        first.SourceQueue.ShouldBe(work.Queue);
        first.SampleMessageId.ShouldBe(invalid[0]);
        first.SampleFault.ShouldBe("work a1 failed");
        first.FirstSeen!.Value.ShouldBeLessThan(first.LastSeen!.Value, "three faults, one after the other");
        groups[1].SampleMessageId.ShouldBe(argument[0]);
        (await GroupsOf(work)).Select(g => g.Id).ShouldBe(groups.Select(g => g.Id), "ids are stable from one listing to the next");

        var result = await Ops.RunAsync(environment, "error-queues", "groups");
        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        result.Output.ShouldContain($"{first.Id}  3 message(s) in {work.ErrorQueue}\n  cause        System.InvalidOperationException\n");
        result.Output.ShouldContain($"{groups[1].Id}  2 message(s) in {work.ErrorQueue}\n  cause        System.ArgumentException\n");
        result.Output.ShouldContain($"  sample       {invalid[0]}: work a1 failed\n");
        (await _probe.PeekAsync(work.ErrorQueue)).Select(m => m.MessageId).ShouldBe(ids, "listing consumes nothing and keeps the order");
    }

    [Fact]
    public async Task Should_redrive_exactly_one_group_after_the_fix_each_message_processed_once_the_other_group_untouched()
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        var (_, _, argument) = await PoisonAsync(work);
        var before = await _probe.PeekAsync(work.ErrorQueue);
        var invalidGroup = (await GroupsOf(work)).Single(g => g.Cause == typeof(InvalidOperationException).FullName);
        work.Ledger.Fix("a1", "a2", "a3"); // the cause of that group is fixed

        var dry = await Ops.RunAsync(environment, "error-queues", "redrive", "--group", invalidGroup.Id, "--dry-run");
        dry.ExitCode.ShouldBe(ExitCodes.Ok, dry.ToString());
        dry.Output.ShouldEndWith($"Dry run: 3 message(s) of group {invalidGroup.Id} would move; nothing changed in '{work.ErrorQueue}'.\n");
        (await _probe.PeekAsync(work.ErrorQueue)).Select(m => m.MessageId).ShouldBe(before.Select(m => m.MessageId), "a dry run moves nothing");

        var result = await Ops.RunAsync(environment, "error-queues", "redrive", "--group", invalidGroup.Id);

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        result.Output.ShouldEndWith($"3 message(s) of group {invalidGroup.Id} re-driven, 2 left in '{work.ErrorQueue}'.\n");
        await Eventually.True(() => Task.FromResult(new[] { "a1", "a2", "a3" }.All(k => work.Ledger.Completed(k) == 1)), "the group's messages are processed");
        await Eventually.True(async () => await _probe.DepthAsync(work.Queue) == 0, "the work queue is drained");
        foreach (var key in new[] { "a1", "a2", "a3" })
        {
            work.Ledger.Completed(key).ShouldBe(1, $"{key} processed exactly once");
            work.Ledger.Attempts(key).ShouldBe(4, $"{key}: three failed attempts, one after the re-drive");
        }

        var after = await _probe.PeekAsync(work.ErrorQueue);
        after.Select(m => m.MessageId).ShouldBe(argument, "the other group stays, in order");
        after.Select(m => m.Headers).ShouldBe(before.Where(m => argument.Contains(m.MessageId!)).Select(m => m.Headers), "with its headers unchanged");
        work.Ledger.Attempts("b1").ShouldBe(3);
        (await GroupsOf(work)).Select(g => g.Cause).ShouldBe([typeof(ArgumentException).FullName]);
    }

    [Fact]
    public async Task Should_purge_a_group_only_with_yes_and_leave_the_other_group_in_order()
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        var (ids, invalid, _) = await PoisonAsync(work);
        var argumentGroup = (await GroupsOf(work)).Single(g => g.Cause == typeof(ArgumentException).FullName);

        var refused = await Ops.RunAsync(environment, "error-queues", "purge", "--group", argumentGroup.Id);

        refused.ExitCode.ShouldBe(ExitCodes.Usage, refused.ToString());
        refused.Error.Trim().ShouldBe($"error: refusing to purge group '{argumentGroup.Id}' without confirmation: pass --yes");
        (await _probe.PeekAsync(work.ErrorQueue)).Select(m => m.MessageId).ShouldBe(ids, "nothing touched");

        var purged = await Ops.RunAsync(environment, "error-queues", "purge", "--group", argumentGroup.Id, "--yes");

        purged.ExitCode.ShouldBe(ExitCodes.Ok, purged.ToString());
        purged.Output.Trim().ShouldBe($"Purged 2 message(s) of group {argumentGroup.Id} from '{work.ErrorQueue}', 3 left.");
        (await _probe.PeekAsync(work.ErrorQueue)).Select(m => m.MessageId).ShouldBe(invalid, "the other group stays, in order");
    }

    [Theory]
    [InlineData("no", ExitCodes.Usage, 5)]
    [InlineData("yes", ExitCodes.Ok, 3)]
    public async Task Should_ask_at_an_interactive_terminal_naming_the_group(string answer, int exitCode, int depthAfter)
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        await PoisonAsync(work);
        var group = (await GroupsOf(work)).Single(g => g.Cause == typeof(ArgumentException).FullName);
        var output = new StringWriter();
        var error = new StringWriter();
        var variables = new Dictionary<string, string?>
        {
            ["ConnectionStrings__messaging"] = environment.RabbitMqUri.ToString(),
            ["RABBITMQ_MANAGEMENT_URL"] = environment.Servers.RabbitMqManagementUri.ToString(),
        };
        var terminal = new Terminal(output, error, new StringReader(answer + "\n"), IsInteractive: true, variables.GetValueOrDefault);

        var code = await OperationsCommandLine.RunAsync(["error-queues", "purge", "--group", group.Id], terminal);

        code.ShouldBe(exitCode, $"{output}{error}");
        output.ToString().ShouldStartWith(
            $"Delete the 2 message(s) of group {group.Id} (System.ArgumentException, urn:message:{typeof(DoWork).Namespace}:{nameof(DoWork)}) " +
            $"in '{work.ErrorQueue}'? This cannot be undone.");
        (await _probe.DepthAsync(work.ErrorQueue)).ShouldBe(depthAfter);
    }

    [Fact]
    public async Task Should_include_skipped_messages_grouped_by_type_and_reason()
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        var unknown = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        foreach (var id in unknown)
        {
            await _probe.PublishRawAsync(work.Queue, $$"""
                {"messageId":"{{id}}","messageType":["urn:message:Nobody.Handles:ThisMessage"],"message":{},"sentTime":"{{DateTime.UtcNow:O}}"}
                """, id);
        }

        var skippedQueue = work.Queue + DeadLetterQueueNames.SkippedSuffix;
        await Eventually.True(async () => await _probe.DepthAsync(skippedQueue) == 2, $"both messages in {skippedQueue}");

        var group = (await Operations().ListGroupsAsync()).Single(g => g.Queue == skippedQueue);

        (group.Cause, group.MessageType, group.Count).ShouldBe(("skipped: no consumer for the type (MT-Reason dead-letter)", "urn:message:Nobody.Handles:ThisMessage", 2));
        group.SourceQueue.ShouldBe(work.Queue);
        unknown.ShouldContain(group.SampleMessageId); // the endpoint consumes concurrently: either may be skipped first
        group.FirstSeen.ShouldNotBeNull("a skipped message has no fault time: its sent time stands in");

        var purged = await Operations().PurgeGroupAsync(group.Id);
        purged.ShouldBe(new PurgeResult(skippedQueue, 2, 0));
    }

    [Fact]
    public async Task Should_fail_with_one_clear_line_for_an_unknown_group()
    {
        var result = await Ops.RunAsync(environment, "error-queues", "redrive", "--group", "00000000");

        result.ExitCode.ShouldBe(ExitCodes.Error, result.ToString());
        result.Error.Trim().ShouldBe($"error: no failure group '00000000' in vhost '{environment.VirtualHost}' (list them with: error-queues groups)");
    }

    [Theory]
    [InlineData("--group cannot be combined", "redrive", "work_error", "--group", "abc")]
    [InlineData("--group cannot be combined", "redrive", "--all", "--group", "abc")]
    [InlineData("say what to purge", "purge")]
    [InlineData("say what to purge", "purge", "work_error", "--group", "abc")]
    public async Task Should_refuse_an_ambiguous_target_as_a_usage_error(string error, params string[] args)
    {
        var result = await Ops.RunAsync(environment, ["error-queues", .. args]);

        result.ExitCode.ShouldBe(ExitCodes.Usage, result.ToString());
        result.Error.ShouldContain(error);
    }

    /// <summary>
    /// Five DoWork messages into the error queue, in this order: a1 b1 a2 b2 a3, where a* fail with
    /// InvalidOperationException and b* with ArgumentException.
    /// </summary>
    private static async Task<(IReadOnlyList<string> All, IReadOnlyList<string> Invalid, IReadOnlyList<string> Argument)> PoisonAsync(WorkEndpoint work)
    {
        work.Ledger.FailWith(key => new ArgumentException($"bad work {key}"), "b1", "b2");
        var ids = await work.FailAsync("a1", "b1", "a2", "b2", "a3");
        return (ids, [ids[0], ids[2], ids[4]], [ids[1], ids[3]]);
    }

    private ErrorQueueOperations Operations() =>
        ErrorQueueOperations.Create(environment.RabbitMqUri.ToString(), environment.Servers.RabbitMqManagementUri.ToString());

    private async Task<IReadOnlyList<FailureGroup>> GroupsOf(WorkEndpoint work) =>
        (await Operations().ListGroupsAsync()).Where(g => g.Queue == work.ErrorQueue).ToList();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _probe.DisposeAsync();
}
