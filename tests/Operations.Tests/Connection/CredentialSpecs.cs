using OrderSystem.Testing.Operations;
using Shouldly;
using Xunit;

namespace OrderSystem.Operations.Tests.Connection;

/// <summary>Admin actions need credentials: no anonymous or guest default, a clear line on stderr, never a password.</summary>
public sealed class CredentialSpecs
{
    private static readonly Dictionary<string, string?> NoVariables = [];

    [Theory]
    [InlineData("error-queues", "list")]
    [InlineData("error-queues", "show", "work_error")]
    [InlineData("error-queues", "redrive", "work_error", "--all")]
    [InlineData("error-queues", "purge", "work_error", "--yes")]
    [InlineData("error-queues", "export", "work_error", "--file", "x.jsonl")]
    public async Task Should_refuse_with_exit_code_2_when_no_address_is_configured(params string[] args)
    {
        var result = await Ops.RunWithEnvironmentAsync(NoVariables, args);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldStartWith("error: no ");
        result.Error.ShouldContain(args[1] == "list" ? "RABBITMQ_MANAGEMENT_URL" : "ConnectionStrings__messaging");
        result.Error.Trim().ShouldNotContain('\n');
        result.Output.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("--broker", "amqp://127.0.0.1:5672/", "error-queues", "show", "work_error")]
    [InlineData("--broker", "amqp://guest@127.0.0.1:5672/", "error-queues", "show", "work_error")]
    [InlineData("--management", "http://127.0.0.1:15672", "error-queues", "list")]
    public async Task Should_refuse_an_address_without_credentials(string option, string address, params string[] command)
    {
        var result = await Ops.RunWithEnvironmentAsync(NoVariables, [.. command, option, address]);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain($"{option} (");
        result.Error.ShouldContain("has no credentials");
    }

    [Fact]
    public async Task Should_never_print_the_password()
    {
        // Nothing listens on port 1: the connection fails, and the message names the endpoint without its password.
        var result = await Ops.RunWithEnvironmentAsync(
            new Dictionary<string, string?> { ["ConnectionStrings__messaging"] = "amqp://ops:s3cret-pw@127.0.0.1:1/" },
            "error-queues", "show", "work_error");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldStartWith("error: cannot connect to amqp://ops@127.0.0.1:1 vhost '/'");
        result.Error.ShouldNotContain("s3cret-pw");
    }
}
