using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace OrderSystem.AppHost.Tests.Support;

/// <summary>Reads the AppHost's model (built, not run) for what each of the four services is told.</summary>
public static class ServiceEnvironments
{
    /// <summary>The environment variables the AppHost's model gives each service for these settings; nothing is started.</summary>
    public static async Task<Dictionary<string, Dictionary<string, string>>> ReadAsync(params string[] settings)
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
