using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;

namespace OrderSystem.Testing.Hosting;

/// <summary>
/// Runs one service host in the test process, configured through the same keys the AppHost injects
/// (<c>ConnectionStrings:messaging</c>, <c>ConnectionStrings:orderdb</c>, …): the service cannot tell the difference.
/// <typeparamref name="TEntryPoint"/> is any public type of the service's assembly (every service's <c>Program</c>
/// lives in the global namespace, so the name alone would be ambiguous across services).
/// </summary>
public sealed class ServiceHost<TEntryPoint>(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environments.Development);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
