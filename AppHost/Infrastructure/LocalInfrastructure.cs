using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using OrderSystem.AppHost.Operations;

namespace OrderSystem.AppHost.Infrastructure;

/// <summary>
/// RabbitMQ and PostgreSQL as executable resources when no container runtime is available: both run from the locally
/// installed Debian packages through <c>eng/infra.sh run …</c> (the one copy of the start-up logic), in a private data
/// directory per checkout that is kept across runs, on non-default ports. The dashboard shows their logs, state and
/// health, and can stop and start them.
/// </summary>
internal static class LocalInfrastructure
{
    /// <summary>Configuration section: DataDirectory, RabbitMqPort, RabbitMqManagementPort, EpmdPort, PostgresPort, RabbitMqCluster.</summary>
    public const string Section = "LocalInfrastructure";

    /// <summary>
    /// <c>LocalInfrastructure:RabbitMqCluster=true</c>: the <c>messaging</c> resource is a three-node RabbitMQ cluster
    /// (<c>eng/cluster.sh run</c>) on RabbitMqPort and the next two ports (default 5675–5677, management 15675–15677), and
    /// the services get every node in <c>Messaging__ClusterNodes</c>, so their bus fails over when a node dies.
    /// </summary>
    public const string ClusterKey = "RabbitMqCluster";

    private const int ClusterNodeCount = 3;

    public static OrderSystemInfrastructure Add(IDistributedApplicationBuilder builder, InfrastructureCredentials credentials)
    {
        var settings = builder.Configuration.GetSection(Section);
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var script = Path.Combine(repositoryRoot, "eng", "infra.sh");
        var dataDirectory = settings["DataDirectory"] is { Length: > 0 } configured ? configured : DefaultDataDirectory(repositoryRoot);

        var cluster = settings.GetValue(ClusterKey, false);
        var rabbitPort = settings.GetValue("RabbitMqPort", cluster ? 5675 : 5670);
        var rabbit = new LocalRabbitMQResource("messaging", cluster ? Path.Combine(repositoryRoot, "eng", "cluster.sh") : script, repositoryRoot,
            credentials.MessagingUser.Resource, credentials.MessagingPassword.Resource);
        var messaging = builder.AddResource(rabbit)
            .WithArgs(cluster ? ["run"] : ["run", "rabbitmq"])
            .WithEnvironment("INFRA_DIR", dataDirectory)
            .WithEnvironment("INFRA_EPMD_PORT", settings.GetValue("EpmdPort", 4370).ToString())
            .WithEnvironment("INFRA_RABBITMQ_USER", credentials.MessagingUser)
            .WithEnvironment("INFRA_RABBITMQ_PASSWORD", credentials.MessagingPassword)
            .WithEndpoint(port: rabbitPort, scheme: "amqp", name: LocalRabbitMQResource.AmqpEndpointName,
                env: "INFRA_RABBITMQ_PORT", isProxied: false)
            .WithHttpEndpoint(port: settings.GetValue("RabbitMqManagementPort", cluster ? 15675 : 15670), name: LocalRabbitMQResource.ManagementEndpointName,
                env: "INFRA_RABBITMQ_MANAGEMENT_PORT", isProxied: false)
            .WithUrlForEndpoint(LocalRabbitMQResource.ManagementEndpointName, url => url.DisplayText = "RabbitMQ management UI")
            .WithIconName("Mail")
            .WithDeadLetterCommands()
            .WithHealthCheck(AddConnectionCheck(builder, rabbit, OpenRabbitMQAsync));

        var server = new LocalPostgresServerResource("postgres", script, repositoryRoot, credentials.PostgresPassword.Resource);
        var postgres = builder.AddResource(server)
            .WithArgs("run", "postgres")
            .WithEnvironment("INFRA_DIR", dataDirectory)
            .WithEnvironment("INFRA_POSTGRES_PASSWORD", credentials.PostgresPassword)
            .WithEndpoint(port: settings.GetValue("PostgresPort", 5440), scheme: "tcp", name: LocalPostgresServerResource.TcpEndpointName,
                env: "INFRA_POSTGRES_PORT", isProxied: false)
            .WithIconName("DatabaseMultiple")
            .WithHealthCheck(AddConnectionCheck(builder, server, cs => OpenPostgresAsync(cs + ";Database=postgres")));

        var databases = new Dictionary<string, IResourceBuilder<IResourceWithConnectionString>>();
        foreach (var name in OrderSystemInfrastructure.DatabaseNames)
        {
            var database = new LocalPostgresDatabaseResource(name, server);
            databases[name] = builder.AddResource(database)
                .WithParentRelationship(postgres)
                .WithInitialState(new CustomResourceSnapshot
                {
                    ResourceType = "PostgresDatabase",
                    State = KnownResourceStates.Waiting,
                    Properties = [new(CustomResourceKnownProperties.Source, "postgres")],
                })
                .WithIconName("Database")
                .WithHealthCheck(AddConnectionCheck(builder, database, OpenPostgresAsync));
        }

        // What AddDatabase does for a container: create each database once the server answers.
        postgres.OnResourceReady(async (resource, @event, cancellationToken) =>
        {
            var connectionString = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken);
            await using var connection = new NpgsqlConnection(connectionString + ";Database=postgres");
            await connection.OpenAsync(cancellationToken);
            foreach (var name in OrderSystemInfrastructure.DatabaseNames)
            {
                await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = name } } };
                if (await exists.ExecuteScalarAsync(cancellationToken) is null)
                {
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                    await create.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            // A database has no process of its own: it is running when its server is and it exists.
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var database in databases.Values)
            {
                await notifications.PublishUpdateAsync(database.Resource, state => state with
                {
                    State = KnownResourceStates.Running,
                    StartTimeStamp = DateTime.UtcNow,
                });
            }
        });
        postgres.OnResourceStopped(async (_, @event, _) =>
        {
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var database in databases.Values)
            {
                await notifications.PublishUpdateAsync(database.Resource, state => state with { State = KnownResourceStates.Waiting });
            }
        });

        // The nodes of the cluster listen on consecutive ports from node 1's (eng/cluster.sh run).
        var clusterNodes = cluster ? string.Join(",", Enumerable.Range(rabbitPort, ClusterNodeCount).Select(port => $"127.0.0.1:{port}")) : null;
        return new OrderSystemInfrastructure(InfrastructureMode.Local, messaging, databases, LocalDataDirectory: dataDirectory, MessagingClusterNodes: clusterNodes);
    }

    /// <summary>Per checkout, outside it (PostgreSQL runs as the postgres user and must reach it): eng/run.sh --reset removes it.</summary>
    public static string DefaultDataDirectory(string repositoryRoot)
    {
        var hash = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(repositoryRoot)))[..8];
        return Path.Combine(Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } tmp ? tmp : "/tmp", $"ordersystem-apphost-{hash}");
    }

    private static string AddConnectionCheck(IDistributedApplicationBuilder builder, IResourceWithConnectionString resource, Func<string, Task> open)
    {
        var key = $"{resource.Name}_check";
        builder.Services.AddHealthChecks().AddAsyncCheck(key, async cancellationToken =>
        {
            try
            {
                var connectionString = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken)
                    ?? throw new InvalidOperationException("no connection string yet");
                await open(connectionString).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy(e.Message);
            }
        });
        return key;
    }

    private static async Task OpenPostgresAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false;Timeout=5");
        await connection.OpenAsync();
    }

    private static async Task OpenRabbitMQAsync(string connectionString)
    {
        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(connectionString), AutomaticRecoveryEnabled = false };
        await using var connection = await factory.CreateConnectionAsync("apphost-health");
        await connection.CloseAsync(200, "health check", TimeSpan.FromSeconds(2), abort: false);
    }
}
