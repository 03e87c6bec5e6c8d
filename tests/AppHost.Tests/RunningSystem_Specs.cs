using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using OrderSystem.AppHost.Tests.Support;
using OrderSystem.Testing.Polling;
using Shouldly;

namespace OrderSystem.AppHost.Tests;

/// <summary>The system as the AppHost runs it: every resource up, an order confirmed, a stopped service's work waiting.</summary>
[Collection(AppHostCollection.Name)]
public sealed class RunningSystem_Specs(RunningSystem running)
{
    private OrderSystemApp System => running.System;

    [Fact]
    public void Every_resource_is_running_and_healthy()
    {
        foreach (var name in OrderSystemApp.Infrastructure.Concat(OrderSystemApp.Services))
        {
            System.App.ResourceNotifications.TryGetCurrentState(name, out var resource).ShouldBeTrue(name);
            resource!.Snapshot.State?.Text.ShouldBe(KnownResourceStates.Running, name);
            resource.Snapshot.HealthStatus.ShouldBe(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, name);
        }
    }

    [Fact]
    public async Task An_order_placed_through_the_ordering_endpoint_ends_confirmed()
    {
        var orderId = await System.PlaceOrderAsync();

        await System.WaitForStateAsync(orderId, "Confirmed");
    }

    [Fact]
    public async Task With_payment_stopped_orders_wait_in_its_queue_and_all_confirm_when_it_starts_again()
    {
        using var management = await System.BrokerManagementAsync();
        await System.ExecuteAsync("payment", KnownResourceCommands.StopCommand);
        await Eventually.Get(() => Queue(management, "charge-payment"), q => q.Consumers == 0, "charge-payment without consumers", TimeSpan.FromMinutes(1));

        var orders = new List<Guid>();
        for (var i = 0; i < 3; i++) orders.Add(await System.PlaceOrderAsync());

        foreach (var order in orders) await System.WaitForStateAsync(order, "StockReserved");
        await Eventually.Get(() => Queue(management, "charge-payment"), q => q.Ready >= orders.Count,
            "the charges waiting in charge-payment", TimeSpan.FromMinutes(1)); // the management API refreshes every 5 s
        foreach (var order in orders) (await System.OrderStateAsync(order)).ShouldBe("StockReserved");

        await System.ExecuteAsync("payment", KnownResourceCommands.StartCommand);

        foreach (var order in orders) await System.WaitForStateAsync(order, "Confirmed", TimeSpan.FromMinutes(3));
        await System.App.ResourceNotifications.WaitForResourceHealthyAsync("payment");
        await Eventually.Get(() => Queue(management, "charge-payment"), q => q.Ready == 0 && q.Consumers > 0, "charge-payment drained", TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Killing_a_service_process_leaves_the_others_healthy_and_relaunched_it_drains_its_backlog()
    {
        var inventory = ProcessTree.StartedBy(Environment.ProcessId, $"127.0.0.1:{System.BrokerPort}/")
            .Single(p => p.Command.EndsWith("/OrderSystem.Inventory", StringComparison.Ordinal) || p.Command.Contains("/OrderSystem.Inventory "));
        Process.Start("kill", ["-KILL", inventory.Pid.ToString()])!.WaitForExit();
        await Eventually.True(() => Task.FromResult(!ProcessTree.IsAlive(inventory)), "Inventory's process is gone");

        foreach (var service in new[] { "ordering", "payment", "notification" })
        {
            using var client = System.Client(service);
            (await client.GetAsync("/health")).IsSuccessStatusCode.ShouldBeTrue(service);
        }

        var orders = new List<Guid>();
        for (var i = 0; i < 2; i++) orders.Add(await System.PlaceOrderAsync());
        using var management = await System.BrokerManagementAsync();
        await Eventually.Get(() => Queue(management, "reserve-stock"), q => q.Ready >= orders.Count && q.Consumers == 0,
            "the reservations waiting in reserve-stock", TimeSpan.FromMinutes(1));
        foreach (var order in orders) (await System.OrderStateAsync(order)).ShouldBe("Submitted");

        await Eventually.True(async () =>
        {
            try
            {
                await System.ExecuteAsync("inventory", KnownResourceCommands.StartCommand);
                return true;
            }
            catch (InvalidOperationException)
            {
                return false; // the orchestrator has not noticed the exit yet
            }
        }, "Inventory relaunched", TimeSpan.FromMinutes(1));

        foreach (var order in orders) await System.WaitForStateAsync(order, "Confirmed", TimeSpan.FromMinutes(3));
        await Eventually.Get(() => Queue(management, "reserve-stock"), q => q.Ready == 0 && q.Consumers > 0, "reserve-stock drained", TimeSpan.FromMinutes(1));
    }

    private static async Task<(long Ready, long Consumers)> Queue(HttpClient management, string queue)
    {
        var json = await management.GetFromJsonAsync<JsonElement>($"/api/queues/%2F/{queue}");
        return (json.TryGetProperty("messages_ready", out var ready) ? ready.GetInt64() : 0, json.GetProperty("consumers").GetInt64());
    }
}
