using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Inventory.Persistence;
using OrderSystem.Notification.Persistence;
using OrderSystem.Observability.Tests.Support;
using OrderSystem.Ordering.Persistence;
using OrderSystem.Payment.Persistence;
using OrderSystem.Testing.Polling;

namespace OrderSystem.Observability.Tests;

/// <summary>
/// The services' log records, as exported over OpenTelemetry: each one written while an order's message is handled
/// carries the trace id and <c>order.id</c>; none carries a password, and EF Core does not log parameter values.
/// </summary>
public class OrderLogsSpecs(ObservedSystemFixture system) : IClassFixture<ObservedSystemFixture>
{
    [Fact]
    public async Task Should_write_the_order_id_and_trace_id_on_every_log_record_of_the_order()
    {
        var sku = await system.AddProductAsync(available: 2, price: 9m);

        var (orderId, traceId) = await system.SubmitAsync("ivan", (sku, 1));
        await system.WaitForStateAsync(orderId, "Confirmed");
        // Inventory and Payment log each step of an order (Information).
        var logs = await Eventually.Get(
            () => Task.FromResult(system.Logs.All.Where(l => l.TraceId == traceId).ToList()),
            l => l.Any(r => r.Service == "inventory") && l.Any(r => r.Service == "payment"),
            "the order's log records of Inventory and Payment");

        logs.ShouldContain(l => l.Service == "payment" && l.Message.Contains(orderId.ToString()) && l.Message.Contains("payment of"));
        var withoutOrderId = logs.Where(l => l.Attributes.GetValueOrDefault(OrderBaggage.OrderId) != orderId.ToString()).ToList();
        withoutOrderId.ShouldBeEmpty(string.Join("\n", withoutOrderId.Select(l => $"[{l.Service}] {l.Category}: {l.Message}")));
    }

    [Fact]
    public async Task Should_keep_credentials_and_parameter_values_out_of_the_logs()
    {
        var sku = await system.AddProductAsync(available: 2, price: 9m);
        var (orderId, _) = await system.SubmitAsync("judy", (sku, 1));
        await system.WaitForStateAsync(orderId, "Confirmed");

        var logs = system.Logs.All;
        logs.ShouldContain(l => l.Category.StartsWith("MassTransit")); // the bus logs its address: without credentials
        logs.ShouldContain(l => l.Category == "Microsoft.EntityFrameworkCore.Database.Command");
        system.Secrets.ShouldNotBeEmpty();
        foreach (var secret in system.Secrets)
            logs.ShouldNotContain(l => l.Text.Contains(secret), "a log record contains a password");

        // EF Core writes parameter values only with sensitive-data logging, which no service turns on.
        SensitiveDataLogging<OrderingDbContext>("ordering").ShouldBeFalse();
        SensitiveDataLogging<InventoryDbContext>("inventory").ShouldBeFalse();
        SensitiveDataLogging<PaymentDbContext>("payment").ShouldBeFalse();
        SensitiveDataLogging<NotificationDbContext>("notification").ShouldBeFalse();
        // Parameter values would show in the database logs. (Notification's log-only e-mail sender names the recipient,
        // judy@…, on purpose: that is the e-mail it stands in for, not a leaked parameter.)
        logs.Where(l => l.Category.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) || l.Category.StartsWith("Npgsql", StringComparison.Ordinal))
            .ShouldNotContain(l => l.Text.Contains("judy"), "a database log record shows a parameter value (the customer id)");
    }

    private bool SensitiveDataLogging<TContext>(string service) where TContext : DbContext
    {
        using var scope = system.Services[service].CreateScope();
        var options = scope.ServiceProvider.GetRequiredService<TContext>().GetService<IDbContextOptions>();
        return options.FindExtension<CoreOptionsExtension>()?.IsSensitiveDataLoggingEnabled ?? false;
    }
}
