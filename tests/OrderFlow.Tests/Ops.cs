using OrderSystem.Operations;
using OrderSystem.Operations.Connection;
using OrderSystem.Testing.Infrastructure;

namespace OrderSystem.OrderFlow.Tests;

/// <summary>The real <c>ordersystem-ops</c> command root, run in-process with the two variables an operator's shell has.</summary>
public static class Ops
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IsolatedEnvironment environment, params string[] args)
    {
        var variables = new Dictionary<string, string?>
        {
            [ConnectionOptions.BrokerVariable] = environment.RabbitMqUri.ToString(),
            [ConnectionOptions.ManagementVariable] = environment.Servers.RabbitMqManagementUri.ToString(),
        };
        var output = new StringWriter();
        var error = new StringWriter();
        var terminal = new Terminal(output, error, new StringReader(""), IsInteractive: false, name => variables.GetValueOrDefault(name));
        var exitCode = await OperationsCommandLine.RunAsync(args, terminal);
        return (exitCode, output.ToString(), error.ToString());
    }
}
