using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
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
        var environments = await ServiceEnvironmentsAsync("--Messaging:QueueType=quorum", "--Messaging:DeliveryLimit=4");

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
        var environments = await ServiceEnvironmentsAsync();

        foreach (var (service, variables) in environments)
        {
            variables.GetValueOrDefault("Messaging__QueueType").ShouldBe("classic", service);
            variables.ShouldNotContainKey("Messaging__DeliveryLimit", service);
        }
    }

    private static async Task<Dictionary<string, Dictionary<string, string>>> ServiceEnvironmentsAsync(params string[] settings)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "ordersystem-apphost-test-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OrderSystem_AppHost>(
                [$"--LocalInfrastructure:DataDirectory={dataDirectory}", .. settings]);
            var environments = new Dictionary<string, Dictionary<string, string>>();
            foreach (var service in builder.Resources.OfType<ProjectResource>().Where(r => OrderSystemApp.Services.Contains(r.Name)))
            {
                var variables = new Dictionary<string, string>();
                var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run));
                foreach (var callback in service.Annotations.OfType<EnvironmentCallbackAnnotation>())
                {
                    await callback.Callback(context);
                }

                foreach (var (name, value) in context.EnvironmentVariables)
                {
                    if (value is string text) variables[name] = text;
                }

                environments[service.Name] = variables;
            }

            return environments;
        }
        finally
        {
            if (Directory.Exists(dataDirectory)) Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
