using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Bus;

/// <summary>A service wired with AddMessageBus does not report usage to MassTransit's servers (on by default since 8.4).</summary>
public sealed class UsageTelemetrySpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>
{
    [Fact]
    public async Task The_bus_sends_no_usage_telemetry()
    {
        var db = await environment.CreateDatabaseAsync("usagetelemetry");
        await MigrationSchema.CreateAsync(db);
        await using var host = await MessagingTestHost.StartAsync(environment, db, _ => { });

        host.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled.ShouldBeFalse();
    }
}
