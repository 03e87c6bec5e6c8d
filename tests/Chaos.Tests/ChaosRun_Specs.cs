using OrderSystem.Chaos.Faults;
using OrderSystem.Chaos.Report;
using OrderSystem.Chaos.Run;
using OrderSystem.Chaos.Tests.Support;
using OrderSystem.SystemProcesses.Console;
using OrderSystem.SystemProcesses.Machine;
using Xunit.Abstractions;

namespace OrderSystem.Chaos.Tests;

/// <summary>
/// eng/chaos.sh in short: orders at a steady rate through the public API, with retries on the same Idempotency-Key,
/// while Ordering, Inventory, Payment, Notification, RabbitMQ and PostgreSQL are each killed with SIGKILL and started
/// again; afterwards every accepted order is terminal, stock adds up, and each order has at most one captured payment
/// and one notification of its outcome. On servers of its own (eng/infra.sh with a private directory and ports), so
/// that the kills touch nothing the other test projects use.
/// </summary>
public sealed class ChaosRun_Specs(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_accepted_order_ends_exactly_once_while_each_service_the_broker_and_the_database_are_killed()
    {
        Progress.Tag = "chaos";
        Progress.Persistent = true;
        Progress.Output = new TestOutputWriter(output);
        var options = new ChaosOptions
        {
            RepositoryRoot = BuildOutput.RepositoryRoot(),
            Configuration = BuildOutput.Configuration(),
            // Not Directory.CreateTempSubdirectory: its mode 700 would keep PostgreSQL (user postgres) out.
            InfraDir = Path.Combine(Path.GetTempPath(), $"ordersystem-chaos-test-{Guid.NewGuid():N}"),
            RabbitMqBasePort = FreePorts.ForRabbitMq(),
            PostgresBasePort = FreePorts.Any(),
            EpmdBasePort = FreePorts.Any(),
            Orders = 60, // at least: the client goes on until the last fault has drained (150–240 orders in our runs)
            Rate = 2,
            Down = TimeSpan.FromSeconds(1),
            Faults = Enum.GetValues<FaultTarget>(),
            DrainTimeout = TimeSpan.FromMinutes(5),
            // Below eng/test.sh's hang timeout (10 min): a stall fails here, with the notes of how far the run got and
            // what it left (orders not terminal, queues holding messages), instead of being killed without them.
            RunTimeout = TimeSpan.FromMinutes(8),
        };

        try
        {
            var result = await new ChaosRun(options).RunAsync();
            var report = ChaosReport.Lines(result);
            foreach (var line in report) output.WriteLine(line);

            if (result.Passed) Directory.Delete(result.ServiceLogs, recursive: true); // kept for a look otherwise
            result.Faults.Count.ShouldBe(6);
            result.Accepted.ShouldBe(result.OrdersPlaced, string.Join('\n', report));
            result.Faults.ShouldAllBe(f => f.DrainedAfter != null, string.Join('\n', report));
            result.FinalDrain.ShouldNotBeNull(string.Join('\n', report));
            result.Invariants.Where(i => !i.Holds).Select(i => i.Statement).ShouldBeEmpty(string.Join('\n', report));
        }
        finally
        {
            if (Directory.Exists(options.InfraDir)) Directory.Delete(options.InfraDir, recursive: true);
        }
    }
}
