using OrderSystem.Operations;
using OrderSystem.Operations.Connection;
using OrderSystem.Testing.Infrastructure;

namespace OrderSystem.Testing.Operations;

/// <summary>
/// Runs the real <c>ordersystem-ops</c> command root in-process (what <c>eng/ops.sh</c> runs), capturing stdout and
/// stderr, with the variables an operator's shell would have.
/// </summary>
public static class Ops
{
    /// <summary>With the class's vhost as the services would get it: ConnectionStrings__messaging and RABBITMQ_MANAGEMENT_URL.</summary>
    public static Task<OpsResult> RunAsync(IsolatedEnvironment environment, params string[] args) =>
        RunWithEnvironmentAsync(new Dictionary<string, string?>
        {
            [ConnectionOptions.BrokerVariable] = environment.RabbitMqUri.ToString(),
            [ConnectionOptions.ManagementVariable] = environment.Servers.RabbitMqManagementUri.ToString(),
        }, args);

    public static async Task<OpsResult> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string?> variables, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var terminal = new Terminal(output, error, new StringReader(""), IsInteractive: false, name => variables.GetValueOrDefault(name));
        var exitCode = await OperationsCommandLine.RunAsync(args, terminal);
        return new OpsResult(exitCode, output.ToString(), error.ToString());
    }
}
