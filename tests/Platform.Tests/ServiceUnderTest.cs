using Microsoft.AspNetCore.Mvc.Testing;
using OrderSystem.Inventory.Persistence;
using OrderSystem.Notification.Persistence;
using OrderSystem.Ordering.Persistence;
using OrderSystem.Payment.Persistence;
using OrderSystem.Testing.Hosting;
using Xunit;

namespace OrderSystem.Platform.Tests;

/// <summary>The four service hosts, each named by the database it owns (the AppHost's connection-string names).</summary>
public static class ServiceUnderTest
{
    public static readonly TheoryData<string> All = new() { "Ordering", "Inventory", "Payment", "Notification" };

    public static string DatabaseOf(string service) => service switch
    {
        "Ordering" => "orderdb",
        "Inventory" => "inventorydb",
        "Payment" => "paymentdb",
        "Notification" => "notificationdb",
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
    };

    /// <summary>Starts the service in-process with exactly the settings the AppHost would inject.</summary>
    public static IDisposable Start(string service, Uri broker, string database, out HttpClient client)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:messaging"] = broker.ToString(),
            [$"ConnectionStrings:{DatabaseOf(service)}"] = database,
        };
        WebApplicationFactoryClientOptions options = new() { AllowAutoRedirect = false };
        switch (service)
        {
            case "Ordering":
                var ordering = new ServiceHost<OrderingDbContext>(settings);
                client = ordering.CreateClient(options);
                return ordering;
            case "Inventory":
                var inventory = new ServiceHost<InventoryDbContext>(settings);
                client = inventory.CreateClient(options);
                return inventory;
            case "Payment":
                var payment = new ServiceHost<PaymentDbContext>(settings);
                client = payment.CreateClient(options);
                return payment;
            case "Notification":
                var notification = new ServiceHost<NotificationDbContext>(settings);
                client = notification.CreateClient(options);
                return notification;
            default:
                throw new ArgumentOutOfRangeException(nameof(service), service, null);
        }
    }
}
