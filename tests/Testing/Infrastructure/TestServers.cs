using DotNet.Testcontainers.Configurations;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace OrderSystem.Testing.Infrastructure;

/// <summary>
/// The RabbitMQ and PostgreSQL servers the tests run against, resolved once per test process:
/// 1. servers given by environment variables (<c>eng/test.sh</c> starts private ones and sets them);
/// 2. otherwise Testcontainers, when a Docker engine is reachable;
/// 3. otherwise a clear error that says how to get servers.
/// Tests never share state through these servers: each test class takes its own vhost and databases
/// (<see cref="IsolatedEnvironment"/>).
/// </summary>
public sealed class TestServers
{
    public const string RabbitMqUriVariable = "RABBITMQ_URI";
    public const string RabbitMqManagementVariable = "RABBITMQ_MANAGEMENT_URL";
    public const string PostgresVariable = "POSTGRES_CONNECTION_STRING";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static TestServers? _instance;

    private TestServers(Uri rabbitMq, Uri rabbitMqManagement, string postgres, string origin)
    {
        RabbitMqUri = rabbitMq;
        RabbitMqManagementUri = rabbitMqManagement;
        PostgresServer = postgres;
        Origin = origin;
    }

    /// <summary>AMQP URI of the broker's default vhost, with credentials.</summary>
    public Uri RabbitMqUri { get; }

    /// <summary>Management HTTP API base address, with credentials in its user-info part.</summary>
    public Uri RabbitMqManagementUri { get; }

    /// <summary>Npgsql connection string of the server's maintenance database (used to create and drop databases).</summary>
    public string PostgresServer { get; }

    /// <summary>Where the servers came from, for diagnostics.</summary>
    public string Origin { get; }

    public static async Task<TestServers> GetAsync()
    {
        if (_instance is not null) return _instance;
        await Gate.WaitAsync();
        try
        {
            return _instance ??= await ResolveAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<TestServers> ResolveAsync()
    {
        var amqp = Environment.GetEnvironmentVariable(RabbitMqUriVariable);
        var management = Environment.GetEnvironmentVariable(RabbitMqManagementVariable);
        var postgres = Environment.GetEnvironmentVariable(PostgresVariable);
        if (!string.IsNullOrWhiteSpace(amqp) && !string.IsNullOrWhiteSpace(management) && !string.IsNullOrWhiteSpace(postgres))
        {
            return new TestServers(new Uri(amqp), new Uri(management), postgres, "environment variables");
        }

        if (TestcontainersSettings.OS.DockerEndpointAuthConfig is not null)
        {
            return await StartContainersAsync();
        }

        throw new InvalidOperationException(
            "These tests need a real RabbitMQ (with the management plugin) and PostgreSQL, and none was found. " +
            "Run the tests with eng/test.sh (it starts private servers when needed), or start them with " +
            "`eval \"$(eng/infra.sh start)\"` and run dotnet test in that shell, or set " +
            $"{RabbitMqUriVariable}, {RabbitMqManagementVariable} and {PostgresVariable} yourself, or make a Docker engine reachable.");
    }

    private static async Task<TestServers> StartContainersAsync()
    {
        const string user = "guest";
        const string password = "guest";
        var rabbit = new RabbitMqBuilder("rabbitmq:4.2-management")
            .WithUsername(user)
            .WithPassword(password)
            .WithPortBinding(15672, assignRandomHostPort: true)
            .Build();
        var pg = new PostgreSqlBuilder("postgres:17.6")
            .WithUsername("postgres")
            .WithPassword("postgres")
            .Build();
        await Task.WhenAll(rabbit.StartAsync(), pg.StartAsync());

        // The containers live as long as the test process; Testcontainers' resource reaper removes them afterwards.
        var amqp = new UriBuilder("amqp", rabbit.Hostname, rabbit.GetMappedPublicPort(5672)) { UserName = user, Password = password, Path = "/" };
        var http = new UriBuilder("http", rabbit.Hostname, rabbit.GetMappedPublicPort(15672)) { UserName = user, Password = password };
        return new TestServers(amqp.Uri, http.Uri, pg.GetConnectionString(), "Testcontainers");
    }
}
