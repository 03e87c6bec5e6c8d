using System.Text.RegularExpressions;
using OrderSystem.Messaging.Bus;
using Shouldly;
using Xunit;

namespace OrderSystem.Platform.Tests;

/// <summary>
/// The AppHost cannot be built on our machines (no Aspire packages, no Docker), so nothing compiles it against the
/// services. These specs keep the three ways of starting the system on one configuration contract: the resource names
/// the AppHost declares are the connection-string names the services read and the databases eng/infra.sh creates.
/// </summary>
public sealed partial class AppHostContractSpecs
{
    private static readonly string Root = FindRepositoryRoot();

    [Fact]
    public void The_AppHost_declares_each_services_database_under_the_name_the_service_reads()
    {
        var declared = DatabaseDeclaration().Matches(Read("AppHost/AppHost.cs")).Select(m => m.Groups[1].Value).Order().ToList();
        string[] read =
        [
            Ordering.OrderingServiceExtensions.DatabaseName,
            Inventory.InventoryServiceExtensions.DatabaseName,
            Payment.PaymentServiceExtensions.DatabaseName,
            Notification.NotificationServiceExtensions.DatabaseName,
        ];

        declared.ShouldBe(read.Order().ToList());
    }

    [Fact]
    public void The_AppHost_names_the_broker_as_the_services_expect()
    {
        Read("AppHost/AppHost.cs").ShouldContain($"AddRabbitMQ(\"{MessageBusRegistration.DefaultConnectionName}\"");
    }

    [Fact]
    public void The_local_infrastructure_creates_the_same_databases_as_the_AppHost()
    {
        var declared = DatabaseDeclaration().Matches(Read("AppHost/AppHost.cs")).Select(m => m.Groups[1].Value).Order();
        var line = Read("eng/infra.sh").Split('\n').Single(l => l.StartsWith("SERVICE_DBS=(", StringComparison.Ordinal));
        var created = line["SERVICE_DBS=(".Length..line.IndexOf(')')].Split(' ', StringSplitOptions.RemoveEmptyEntries).Order();

        created.ShouldBe(declared);
    }

    [Fact]
    public void The_AppHost_references_every_service_project_and_the_build_filter_leaves_it_out()
    {
        var project = Read("AppHost/OrderSystem.AppHost.csproj");
        foreach (var service in new[] { "Ordering", "Inventory", "Payment", "Notification" })
        {
            project.ShouldContain($"src/{service}/OrderSystem.{service}.csproj");
        }

        Read("OrderSystem.sln").ShouldContain(@"AppHost\OrderSystem.AppHost.csproj");
        Read("OrderSystem.Build.slnf").ShouldNotContain("AppHost");
    }

    private static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrderSystem.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("OrderSystem.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("""AddDatabase\("([a-z]+)"\)""")]
    private static partial Regex DatabaseDeclaration();
}
