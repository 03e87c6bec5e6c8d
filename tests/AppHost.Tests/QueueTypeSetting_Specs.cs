using OrderSystem.AppHost.Tests.Support;
using Shouldly;

namespace OrderSystem.AppHost.Tests;

/// <summary>
/// One AppHost value switches the queue type of the whole system: <c>Messaging:QueueType</c> (and
/// <c>Messaging:DeliveryLimit</c>) reach every service as environment variables; without it, every service is told
/// <c>classic</c>. Reads the AppHost's model only; nothing is started.
/// </summary>
public sealed class QueueTypeSetting_Specs
{
    [Fact]
    public async Task Every_service_gets_the_AppHost_queue_type_and_delivery_limit()
    {
        var environments = await ServiceEnvironments.ReadAsync("--Messaging:QueueType=quorum", "--Messaging:DeliveryLimit=4");

        environments.Keys.ToList().ShouldBe(OrderSystemApp.Services, ignoreOrder: true);
        foreach (var (service, variables) in environments)
        {
            variables.GetValueOrDefault("Messaging__QueueType").ShouldBe("quorum", service);
            variables.GetValueOrDefault("Messaging__DeliveryLimit").ShouldBe("4", service);
        }
    }

    [Fact]
    public async Task Without_the_setting_every_service_is_told_classic()
    {
        var environments = await ServiceEnvironments.ReadAsync();

        foreach (var (service, variables) in environments)
        {
            variables.GetValueOrDefault("Messaging__QueueType").ShouldBe("classic", service);
            variables.ShouldNotContainKey("Messaging__DeliveryLimit", service);
        }
    }
}
