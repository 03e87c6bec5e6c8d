using OrderSystem.Operations.Tests.Support;
using OrderSystem.Testing.Operations;
using OrderSystem.Testing.Infrastructure;
using Shouldly;
using Xunit;

namespace OrderSystem.Operations.Tests.ErrorQueues;

public sealed class PurgeCommandSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private readonly BrokerProbe _probe = new(environment);

    [Fact]
    public async Task Should_refuse_without_confirmation_and_change_nothing()
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        var ids = await work.FailAsync("a", "b");

        var result = await Ops.RunAsync(environment, "error-queues", "purge", work.ErrorQueue);

        result.ExitCode.ShouldBe(ExitCodes.Usage);
        result.Error.Trim().ShouldBe($"error: refusing to purge '{work.ErrorQueue}' without confirmation: pass --yes");
        (await _probe.PeekAsync(work.ErrorQueue)).Select(m => m.MessageId).ShouldBe(ids);
    }

    [Fact]
    public async Task Should_empty_the_queue_with_yes()
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        await work.FailAsync("a", "b");

        var result = await Ops.RunAsync(environment, "error-queues", "purge", work.ErrorQueue, "--yes");

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        result.Output.Trim().ShouldBe($"Purged 2 message(s) from '{work.ErrorQueue}'.");
        (await _probe.DepthAsync(work.ErrorQueue)).ShouldBe(0);
    }

    [Theory]
    [InlineData("no", ExitCodes.Usage, 2)]
    [InlineData("yes", ExitCodes.Ok, 0)]
    public async Task Should_ask_at_an_interactive_terminal(string answer, int exitCode, int depthAfter)
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        await work.FailAsync("a", "b");
        var output = new StringWriter();
        var error = new StringWriter();
        var variables = new Dictionary<string, string?> { ["ConnectionStrings__messaging"] = environment.RabbitMqUri.ToString() };
        var terminal = new Terminal(output, error, new StringReader(answer + "\n"), IsInteractive: true, variables.GetValueOrDefault);

        var code = await OperationsCommandLine.RunAsync(["error-queues", "purge", work.ErrorQueue], terminal);

        code.ShouldBe(exitCode, $"{output}{error}");
        output.ToString().ShouldStartWith($"Delete the 2 message(s) of '{work.ErrorQueue}' in vhost '{environment.VirtualHost}'? This cannot be undone.");
        (await _probe.DepthAsync(work.ErrorQueue)).ShouldBe(depthAfter);
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _probe.DisposeAsync();
}
