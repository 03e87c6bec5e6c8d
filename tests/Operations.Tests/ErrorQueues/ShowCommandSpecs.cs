using OrderSystem.Operations.Tests.Support;
using OrderSystem.Testing.Operations;
using OrderSystem.Testing.Infrastructure;
using Shouldly;
using Xunit;

namespace OrderSystem.Operations.Tests.ErrorQueues;

public sealed class ShowCommandSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private readonly BrokerProbe _probe = new(environment);

    [Fact]
    public async Task Should_report_type_id_exception_attempts_and_source_of_each_message()
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        var ids = await work.FailAsync("a", "b");

        var result = await Ops.RunAsync(environment, "error-queues", "show", work.ErrorQueue);

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        result.Output.ShouldContain($"{work.ErrorQueue} in vhost '{environment.VirtualHost}': 2 message(s), showing 2.");
        var blocks = result.Output.Split("\n\n").Skip(1).ToArray();
        blocks.Length.ShouldBe(2, result.Output);
        for (var i = 0; i < 2; i++)
        {
            var key = new[] { "a", "b" }[i];
            blocks[i].ShouldStartWith($"#{i + 1} {ids[i]}");
            blocks[i].ShouldContain($"type         urn:message:{typeof(DoWork).Namespace}:{nameof(DoWork)}");
            blocks[i].ShouldContain($"exception    System.InvalidOperationException: work {key} failed");
            blocks[i].ShouldContain("attempts     3 (2 immediate retries)");
            blocks[i].ShouldContain($"source queue {work.Queue} (rabbitmq://");
            blocks[i].ShouldContain($"consumer     {typeof(WorkConsumer).FullName}");
            blocks[i].ShouldMatch(@"failed at    \d{4}-\d{2}-\d{2}");
        }

        work.Ledger.Attempts("a").ShouldBe(3, "one delivery and two immediate retries, as the output says");
    }

    [Fact]
    public async Task Should_consume_nothing_and_keep_the_order()
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        var ids = await work.FailAsync("a", "b", "c");

        var result = await Ops.RunAsync(environment, "error-queues", "show", work.ErrorQueue, "--max", "2");

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        result.Output.ShouldContain("3 message(s), showing 2.");
        (await _probe.DepthAsync(work.ErrorQueue)).ShouldBe(3);
        (await _probe.PeekAsync(work.ErrorQueue)).Select(m => m.MessageId).ShouldBe(ids);
    }

    [Fact]
    public async Task Should_fail_with_exit_code_1_when_the_queue_does_not_exist()
    {
        var result = await Ops.RunAsync(environment, "error-queues", "show", "nothing-here_error");

        result.ExitCode.ShouldBe(ExitCodes.Error);
        result.Error.Trim().ShouldBe($"error: queue 'nothing-here_error' does not exist in vhost '{environment.VirtualHost}'");
    }

    [Fact]
    public async Task Should_refuse_a_queue_that_is_not_a_dead_letter_queue_as_a_usage_error()
    {
        var result = await Ops.RunAsync(environment, "error-queues", "show", "orders");

        result.ExitCode.ShouldBe(ExitCodes.Usage);
        result.Error.ShouldStartWith("error: 'orders' is not a dead-letter queue (its name must end in _error or _skipped)");
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _probe.DisposeAsync();
}
