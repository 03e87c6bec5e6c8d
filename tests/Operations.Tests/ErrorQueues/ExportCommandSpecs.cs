using System.Text.Json;
using OrderSystem.Operations.ErrorQueues;
using OrderSystem.Operations.Tests.Support;
using OrderSystem.Testing.Operations;
using OrderSystem.Testing.Infrastructure;
using Shouldly;
using Xunit;

namespace OrderSystem.Operations.Tests.ErrorQueues;

public sealed class ExportCommandSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private readonly BrokerProbe _probe = new(environment);
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"ops-export-{Guid.NewGuid():N}.jsonl");

    [Fact]
    public async Task Should_write_every_message_with_headers_and_body_and_consume_none()
    {
        await using var work = await WorkEndpoint.StartAsync(environment, _probe);
        var ids = await work.FailAsync("a", "b", "c");

        var result = await Ops.RunAsync(environment, "error-queues", "export", work.ErrorQueue, "--file", _file);

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        result.Output.Trim().ShouldBe($"Exported 3 message(s) from '{work.ErrorQueue}' to {_file}; the queue is unchanged.");
        var lines = await File.ReadAllLinesAsync(_file);
        lines.Length.ShouldBe(3);
        for (var i = 0; i < 3; i++)
        {
            using var line = JsonDocument.Parse(lines[i]);
            var root = line.RootElement;
            root.GetProperty("messageId").GetString().ShouldBe(ids[i]);
            root.GetProperty("sourceQueue").GetString().ShouldBe(work.Queue);
            root.GetProperty("properties").GetProperty("contentType").GetString().ShouldBe("application/vnd.masstransit+json");
            root.GetProperty("headers").GetProperty(FaultHeaders.ExceptionType).GetString().ShouldBe("System.InvalidOperationException");
            root.GetProperty("bodyEncoding").GetString().ShouldBe("json");
            root.GetProperty("body").GetProperty("message").GetProperty("key").GetString().ShouldBe(new[] { "a", "b", "c" }[i]);
        }

        (await _probe.PeekAsync(work.ErrorQueue)).Select(m => m.MessageId).ShouldBe(ids);
    }

    [Fact]
    public async Task Should_require_a_file()
    {
        var result = await Ops.RunAsync(environment, "error-queues", "export", "work_error");

        result.ExitCode.ShouldBe(ExitCodes.Usage);
        result.Error.ShouldContain("--file");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        File.Delete(_file);
        await _probe.DisposeAsync();
    }
}
