using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using OrderSystem.Inventory.Persistence;
using OrderSystem.Notification.Persistence;
using OrderSystem.Ordering.Persistence;
using OrderSystem.Payment.Persistence;

namespace OrderSystem.OrderFlow.Tests;

/// <summary>
/// Every service's committed migrations match its model, including the tables the messaging building block maps into
/// it. A change without a migration would fail at start-up (EF Core refuses to migrate with pending model changes);
/// this says which service needs <c>dotnet ef migrations add</c>.
/// </summary>
public class MigrationsSpecs
{
    public static TheoryData<string> Services => ["Ordering", "Inventory", "Payment", "Notification"];

    [Theory]
    [MemberData(nameof(Services))]
    public void Should_have_a_migration_for_every_model_change(string service)
    {
        using var db = Create(service);

        db.Database.HasPendingModelChanges().ShouldBeFalse(
            $"run: dotnet ef migrations add <Name> --project src/{service} --output-dir Persistence/Migrations");
    }

    private static DbContext Create(string service) => service switch
    {
        "Ordering" => Design<OrderingDbContextFactory, OrderingDbContext>(),
        "Inventory" => Design<InventoryDbContextFactory, InventoryDbContext>(),
        "Payment" => Design<PaymentDbContextFactory, PaymentDbContext>(),
        "Notification" => Design<NotificationDbContextFactory, NotificationDbContext>(),
        _ => throw new ArgumentOutOfRangeException(nameof(service)),
    };

    private static TContext Design<TFactory, TContext>() where TFactory : IDesignTimeDbContextFactory<TContext>, new() where TContext : DbContext =>
        new TFactory().CreateDbContext([]);
}
