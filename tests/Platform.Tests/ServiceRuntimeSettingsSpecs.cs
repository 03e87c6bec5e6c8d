using System.Text.Json;
using Shouldly;
using Xunit;

namespace OrderSystem.Platform.Tests;

/// <summary>
/// The runtime settings every service is built with (src/Directory.Build.props says why; docs/performance.md has the
/// measurements): dynamic PGO off, and thread-pool workers that sleep without spinning first. Read from the
/// <c>runtimeconfig.json</c> each service's build writes, which is what the runtime reads when the service starts.
/// </summary>
public sealed class ServiceRuntimeSettingsSpecs
{
    [Theory]
    [MemberData(nameof(ServiceUnderTest.All), MemberType = typeof(ServiceUnderTest))]
    public void The_service_runs_without_dynamic_PGO_and_without_thread_pool_spinning(string service)
    {
        var path = Path.Combine(AppContext.BaseDirectory, $"OrderSystem.{service}.runtimeconfig.json");
        using var runtimeConfig = JsonDocument.Parse(File.ReadAllText(path));
        var properties = runtimeConfig.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        properties.GetProperty("System.Runtime.TieredPGO").GetBoolean().ShouldBeFalse();
        properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32().ShouldBe(0);
    }
}
