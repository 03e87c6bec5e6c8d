using OrderSystem.Chaos.Report;
using OrderSystem.Chaos.Run;
using OrderSystem.SystemProcesses.Console;

// The chaos driver (eng/chaos.sh builds and runs it): places orders through the public API at a steady rate while it
// kills -9 and restarts each service, RabbitMQ and PostgreSQL in turn, on private servers of its own; then checks the
// invariants in the four databases and prints a Markdown table. Exit code 0 only when everything held.
// The repository root is the first argument or ORDERSYSTEM_ROOT; see ChaosOptions.Usage for the rest.
Progress.Tag = "chaos";
var root = Environment.GetEnvironmentVariable("ORDERSYSTEM_ROOT") is { Length: > 0 } r ? r : Directory.GetCurrentDirectory();
ChaosOptions options;
try
{
    options = ChaosOptions.Parse(args, Path.GetFullPath(root));
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

ChaosResult result;
try
{
    result = await new ChaosRun(options).RunAsync();
}
catch (TimeoutException e)
{
    Progress.Done();
    Console.Error.WriteLine(e.Message);
    return 1;
}

Progress.Done();
foreach (var line in ChaosReport.Lines(result)) Console.WriteLine(line);
return result.Passed ? 0 : 1;
