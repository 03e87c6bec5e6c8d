namespace OrderSystem.AppHost.Tests.Support;

/// <summary>One running system shared by the tests of the "AppHost" collection (starting it takes most of their time).</summary>
public sealed class RunningSystem : IAsyncLifetime
{
    public OtlpReceiver Telemetry { get; private set; } = null!;

    public OrderSystemApp System { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Telemetry = await OtlpReceiver.StartAsync();
        System = await OrderSystemApp.StartAsync(Telemetry.Endpoint);
    }

    public async Task DisposeAsync()
    {
        await System.DisposeAsync();
        await Telemetry.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class AppHostCollection : ICollectionFixture<RunningSystem>
{
    public const string Name = "AppHost";
}
