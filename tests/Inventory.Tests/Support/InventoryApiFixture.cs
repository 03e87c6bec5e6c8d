using OrderSystem.Testing.Infrastructure;

namespace OrderSystem.Inventory.Tests.Support;

/// <summary>One Inventory host per test class, with its own vhost and database and an operator key of its own.</summary>
public sealed class InventoryApiFixture : IAsyncLifetime
{
    public IsolatedEnvironment Environment { get; } = new();
    public InventoryHost Inventory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Environment.InitializeAsync();
        Inventory = await InventoryHost.StartAsync(Environment, apiKey: "operator-" + Guid.NewGuid().ToString("N"));
    }

    public async Task DisposeAsync()
    {
        await Inventory.DisposeAsync();
        await Environment.DisposeAsync();
    }
}
