using OrderSystem.Operations.ErrorQueues;
using OrderSystem.Operations.Tests.Support;
using OrderSystem.Testing.Operations;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Operations.Tests.ErrorQueues;

public sealed class RedriveCommandSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private readonly BrokerProbe _probe = new(environment);

    [Fact]
    public async Task Should_move_exactly_the_chosen_message_back_and_the_fixed_consumer_processes_it_once()
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        var ids = await work.FailAsync("a", "b", "c");
        var before = await _probe.PeekAsync(work.ErrorQueue);
        work.Ledger.Fix("b");

        var result = await Ops.RunAsync(environment, "error-queues", "redrive", work.ErrorQueue, "--message-id", ids[1]);

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        result.Output.ShouldContain($"moved {ids[1]} {typeof(DoWork).Namespace}:{nameof(DoWork)} -> {work.Queue}");
        result.Output.ShouldContain($"1 message(s) re-driven, 2 left in '{work.ErrorQueue}'.");
        await Eventually.True(() => Task.FromResult(work.Ledger.Completed("b") == 1), "the fixed consumer processes b");
        await Eventually.True(async () => await _probe.DepthAsync(work.Queue) == 0, "the work queue is drained");
        work.Ledger.Completed("b").ShouldBe(1);
        work.Ledger.Attempts("b").ShouldBe(4, "three failed attempts before, one successful after the re-drive");

        var after = await _probe.PeekAsync(work.ErrorQueue);
        after.Select(m => m.MessageId).ShouldBe([ids[0], ids[2]], "the others stay, in their order");
        after.ShouldAllBe(m => m.Headers.ContainsKey(FaultHeaders.ExceptionType));
        after[0].Headers.ShouldBe(before[0].Headers, "a message that is not re-driven keeps its headers unchanged");
        work.Ledger.Attempts("a").ShouldBe(3);
    }

    [Fact]
    public async Task Should_give_a_message_that_faults_again_fresh_fault_headers_and_an_audit_trail()
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        var ids = await work.FailAsync("a");
        var firstFault = (await _probe.PeekAsync(work.ErrorQueue))[0].Headers[FaultHeaders.Timestamp];

        var result = await Ops.RunAsync(environment, "error-queues", "redrive", work.ErrorQueue, "--message-id", ids[0]);
        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());

        // Still broken: three more attempts, then back in the error queue.
        await Eventually.True(() => Task.FromResult(work.Ledger.Attempts("a") == 6), "the re-driven message is tried again");
        await work.WaitForErrorDepthAsync(1);
        var headers = (await _probe.PeekAsync(work.ErrorQueue))[0].Headers;
        headers[FaultHeaders.RetryCount].ShouldBe("2", "the retry count is this round's, not carried over");
        headers[FaultHeaders.RedriveCount].ShouldBe("1");
        headers[FaultHeaders.RedrivenFrom].ShouldBe(work.ErrorQueue);
        headers[FaultHeaders.FirstFaultTimestamp].ShouldBe(firstFault);
        headers[FaultHeaders.LastFaultPrefix + "ExceptionType"].ShouldBe("System.InvalidOperationException");
        headers.Keys.ShouldContain(FaultHeaders.RedrivenAt);

        var shown = await Ops.RunAsync(environment, "error-queues", "show", work.ErrorQueue);
        shown.Output.ShouldContain("re-driven    1 time(s)");
        shown.Output.ShouldContain($"first failed {firstFault}");
    }

    [Fact]
    public async Task Should_move_only_messages_of_the_chosen_type()
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        var doWork = await work.FailAsync("a");
        work.Ledger.Fail("check");
        var check = await work.SendAsync(new CheckWork("check"));
        await work.WaitForErrorDepthAsync(2);
        work.Ledger.Fix("a", "check");

        var result = await Ops.RunAsync(environment, "error-queues", "redrive", work.ErrorQueue, "--message-type", nameof(CheckWork));

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        result.Output.ShouldStartWith($"moved {check} {typeof(CheckWork).Namespace}:{nameof(CheckWork)} -> {work.Queue}");
        await Eventually.True(() => Task.FromResult(work.Ledger.Completed("check") == 1), "CheckWork is processed");
        (await _probe.PeekAsync(work.ErrorQueue)).Select(m => m.MessageId).ShouldBe([doWork[0]]);
        work.Ledger.Completed("a").ShouldBe(0);
    }

    [Fact]
    public async Task Should_take_several_ids_after_one_flag()
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        var ids = await work.FailAsync("a", "b", "c");
        work.Ledger.Fix("a", "c");

        var result = await Ops.RunAsync(environment, "error-queues", "redrive", work.ErrorQueue, "--message-id", ids[0], ids[2]);

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        result.Output.ShouldContain($"2 message(s) re-driven, 1 left in '{work.ErrorQueue}'.");
        (await _probe.PeekAsync(work.ErrorQueue)).Select(m => m.MessageId).ShouldBe([ids[1]]);
        await Eventually.True(() => Task.FromResult(work.Ledger.Completed("a") == 1 && work.Ledger.Completed("c") == 1), "a and c are processed");
    }

    [Fact]
    public async Task Should_empty_the_error_queue_with_all()
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        await work.FailAsync("a", "b", "c");
        work.Ledger.Fix("a", "b", "c");

        var result = await Ops.RunAsync(environment, "error-queues", "redrive", work.ErrorQueue, "--all");

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        result.Output.ShouldContain($"3 message(s) re-driven, 0 left in '{work.ErrorQueue}'.");
        (await _probe.DepthAsync(work.ErrorQueue)).ShouldBe(0);
        await Eventually.True(
            () => Task.FromResult(new[] { "a", "b", "c" }.All(k => work.Ledger.Completed(k) == 1)),
            "every re-driven message is processed once");
    }

    [Fact]
    public async Task Should_move_nothing_on_a_dry_run()
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        var ids = await work.FailAsync("a", "b");

        var result = await Ops.RunAsync(environment, "error-queues", "redrive", work.ErrorQueue, "--all", "--dry-run");

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        result.Output.ShouldContain($"would move {ids[0]}");
        result.Output.ShouldContain("Dry run: 2 of 2 message(s) would move");
        (await _probe.PeekAsync(work.ErrorQueue)).Select(m => m.MessageId).ShouldBe(ids);
        work.Ledger.Attempts("a").ShouldBe(3);
    }

    [Fact]
    public async Task Should_report_an_unknown_message_id_as_an_error_and_move_nothing_else()
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        var ids = await work.FailAsync("a");
        var unknown = Guid.NewGuid().ToString();

        var result = await Ops.RunAsync(environment, "error-queues", "redrive", work.ErrorQueue, "--message-id", unknown);

        result.ExitCode.ShouldBe(ExitCodes.Error);
        result.Error.Trim().ShouldBe($"error: not found in '{work.ErrorQueue}': {unknown}");
        (await _probe.PeekAsync(work.ErrorQueue)).Select(m => m.MessageId).ShouldBe(ids);
    }

    [Fact]
    public async Task Should_leave_the_message_in_the_error_queue_when_its_queue_is_gone()
    {
        var work = await WorkEndpoint.StartAsync(environment, _probe);
        var ids = await work.FailAsync("a", "b");
        await work.DisposeAsync();
        await _probe.DeleteQueueAsync(work.Queue);

        var result = await Ops.RunAsync(environment, "error-queues", "redrive", work.ErrorQueue, "--all");

        result.ExitCode.ShouldBe(ExitCodes.Error, result.ToString());
        result.Error.Trim().ShouldBe(
            $"error: queue '{work.Queue}' does not exist in vhost '{environment.VirtualHost}': message {ids[0]} stays in '{work.ErrorQueue}'");
        (await _probe.PeekAsync(work.ErrorQueue)).Select(m => m.MessageId).ShouldBe(ids, "an unroutable publish is not acknowledged");
    }

    [Theory]
    [InlineData("say which messages to re-drive")]
    [InlineData("--all cannot be combined", "--all", "--message-id", "x")]
    public async Task Should_refuse_an_ambiguous_selection_as_a_usage_error(string error, params string[] selection)
    {
        var result = await Ops.RunAsync(environment, ["error-queues", "redrive", "work_error", .. selection]);

        result.ExitCode.ShouldBe(ExitCodes.Usage);
        result.Error.ShouldContain(error);
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _probe.DisposeAsync();
}
