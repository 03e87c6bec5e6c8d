using OrderSystem.Operations.Tests.Support;
using OrderSystem.Testing.Operations;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Operations.Tests.ErrorQueues;

public sealed class ListCommandSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private readonly BrokerProbe _probe = new(environment);

    [Fact]
    public async Task Should_list_each_error_queue_of_the_vhost_with_its_depth_and_nothing_else()
    {
        await using var first = await WorkEndpoint.StartAsync(environment, _probe);
        await using var second = await WorkEndpoint.StartAsync(environment, _probe);
        await first.FailAsync("a", "b", "c");
        await second.FailAsync("d");

        // The management API samples queue figures every few seconds: poll until the listing catches up.
        var result = await Eventually.Get(
            () => Ops.RunAsync(environment, "error-queues", "list"),
            r => Row(r, first.ErrorQueue)?[2] == "3" && Row(r, second.ErrorQueue)?[2] == "1",
            "list shows both error queues with their depth");

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        result.Output.ShouldStartWith("VHOST");
        Row(result, first.ErrorQueue)![0].ShouldBe(environment.VirtualHost);
        result.Output.ShouldNotContain(first.Queue + " ", Case.Sensitive, "the work queues themselves are not error queues");
        result.Error.ShouldBeEmpty();
    }

    [Fact]
    public async Task Should_fail_with_one_clear_line_when_the_vhost_does_not_exist()
    {
        var result = await Ops.RunAsync(environment, "error-queues", "list", "--vhost", environment.VirtualHost + "-missing");

        result.ExitCode.ShouldBe(ExitCodes.Error, result.ToString());
        result.Error.Trim().ShouldBe($"error: virtual host '{environment.VirtualHost}-missing' does not exist on " +
            $"http://{environment.Management.UserName}@{environment.Servers.RabbitMqManagementUri.Authority}");
    }

    private static string[]? Row(OpsResult result, string queue) => result.Output
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .FirstOrDefault(cells => cells.Length > 1 && cells[1] == queue);

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _probe.DisposeAsync();
}
