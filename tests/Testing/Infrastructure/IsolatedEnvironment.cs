using Npgsql;
using OrderSystem.SystemProcesses.Broker;
using Xunit;

namespace OrderSystem.Testing.Infrastructure;

/// <summary>
/// A test class's own slice of the shared servers: a fresh RabbitMQ vhost and fresh PostgreSQL databases, removed when
/// the class is done. Use it as an xunit class fixture (<c>IClassFixture&lt;IsolatedEnvironment&gt;</c>) so that queues,
/// exchanges and rows of one class never meet another's, even when classes run in parallel.
/// </summary>
public class IsolatedEnvironment : IAsyncLifetime
{
    private readonly List<string> _databases = [];
    private int _databaseCount;
    private readonly string _id = "t" + Guid.NewGuid().ToString("N")[..10];

    public TestServers Servers { get; private set; } = null!;

    /// <summary>Management API client scoped to the broker (not only to this vhost).</summary>
    public RabbitMqManagement Management { get; private set; } = null!;

    /// <summary>Name of this class's vhost.</summary>
    public string VirtualHost => _id;

    /// <summary>AMQP URI of this class's vhost, with credentials: what a service gets as ConnectionStrings__messaging.</summary>
    public Uri RabbitMqUri => new UriBuilder(Servers.RabbitMqUri) { Path = "/" + Uri.EscapeDataString(_id) }.Uri;

    public async Task InitializeAsync()
    {
        Servers = await TestServers.GetAsync();
        Management = new RabbitMqManagement(Servers.RabbitMqManagementUri);
        await Management.CreateVirtualHostAsync(_id);
    }

    /// <summary>
    /// Creates an empty database for this class and returns its connection string. <paramref name="logicalName"/> is
    /// what the code under test calls it (orderdb, inventorydb, …); the physical name is unique to this class and call,
    /// so each test of the class may take its own.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string logicalName)
    {
        var name = $"{_id}_{logicalName}_{Interlocked.Increment(ref _databaseCount)}".ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(Servers.PostgresServer))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        lock (_databases) _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(Servers.PostgresServer) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (Servers is null) return;
        await Management.DeleteVirtualHostAsync(_id);
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Servers.PostgresServer);
        await connection.OpenAsync();
        foreach (var name in _databases)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }

        Management.Dispose();
    }
}
