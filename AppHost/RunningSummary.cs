using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrderSystem.AppHost.Infrastructure;

namespace OrderSystem.AppHost;

/// <summary>
/// Once every service is healthy, says where everything is: the services, the API reference, RabbitMQ's management
/// UI and where its credentials are. (Aspire prints the dashboard's URL and login link itself, at start.)
/// </summary>
internal static class RunningSummary
{
    public static void PrintWhenRunning(this IDistributedApplicationBuilder builder, OrderSystemInfrastructure infrastructure, params string[] services)
    {
        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>((@event, cancellationToken) =>
        {
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrderSystem");
            var stopping = @event.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            var model = @event.Services.GetRequiredService<DistributedApplicationModel>();
            _ = Task.Run(async () =>
            {
                try
                {
                    foreach (var service in services) await notifications.WaitForResourceHealthyAsync(service, stopping);
                    var lines = new List<string> { "OrderSystem is running (infrastructure: " + infrastructure.Mode.ToString().ToLowerInvariant() + ")" };
                    foreach (var service in services)
                    {
                        var resource = (IResourceWithEndpoints)model.Resources.Single(r => r.Name == service);
                        var url = resource.GetEndpoint("http").Url;
                        lines.Add($"  {service,-14} {url}{(service == "ordering" ? "   (API reference: " + url + "/scalar/v1)" : "")}");
                    }

                    if (model.Resources.Single(r => r.Name == "messaging") is IResourceWithEndpoints broker
                        && broker.GetEndpoint("management") is { Exists: true } management)
                    {
                        lines.Add($"  rabbitmq UI    {management.Url}   (user: messaging-username, password: messaging-password;");
                        lines.Add("                 both on the dashboard's parameter resources, or: dotnet user-secrets list --project AppHost)");
                    }

                    if (infrastructure.Mode == InfrastructureMode.Local)
                    {
                        lines.Add("  e-mail         not sent without containers: Notification logs each one and records it (GET /notifications?orderId=…)");
                        lines.Add($"  local data     {infrastructure.LocalDataDirectory}   (kept across runs; eng/run.sh --reset deletes it)");
                    }

                    logger.LogInformation("{Summary}", string.Join(Environment.NewLine, lines));
                }
                catch (OperationCanceledException)
                {
                    // stopped before everything was healthy
                }
            }, stopping);
            return Task.CompletedTask;
        });
    }
}
