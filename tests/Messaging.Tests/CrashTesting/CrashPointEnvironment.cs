using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OrderSystem.Messaging.Tests.ConsumerOutbox;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using Xunit;

namespace OrderSystem.Messaging.Tests.CrashTesting;

/// <summary>
/// One vhost and two databases per test class, shared by its cases: the crash client's ("service": the messaging tables,
/// the ledger, the countdown and lease sagas) and the observer's, a host in the test process that consumes what the service
/// publishes behind its own inbox and records every raw broker delivery.
/// </summary>
public sealed class CrashPointEnvironment : IAsyncLifetime
{
    private const string CountdownTableSql =
        "CREATE TABLE countdown_state (correlation_id uuid PRIMARY KEY, current_state varchar(64), due_token uuid, " +
        "starts integer NOT NULL, elapsed integer NOT NULL)";

    private const string LeaseTableSql =
        "CREATE TABLE lease_state (correlation_id uuid PRIMARY KEY, current_state varchar(64), opens integer NOT NULL)";

    public IsolatedEnvironment Isolated { get; } = new();
    public string ServiceDatabase { get; private set; } = "";
    public MessagingTestHost Observer { get; private set; } = null!;

    private ServiceProcess? _restart;

    public async Task InitializeAsync()
    {
        await Isolated.InitializeAsync();
        ServiceDatabase = await Isolated.CreateDatabaseAsync("service");
        await MigrationSchema.CreateAsync(ServiceDatabase);
        await using (var db = new TestDbContext(MigrationSchema.Options(ServiceDatabase)))
        {
            await db.Database.ExecuteSqlRawAsync(CountdownTableSql);
            await db.Database.ExecuteSqlRawAsync(LeaseTableSql);
        }

        var observerDatabase = await Isolated.CreateDatabaseAsync("observer");
        await MigrationSchema.CreateAsync(observerDatabase);
        Observer = await MessagingTestHost.StartAsync(Isolated, observerDatabase, bus =>
        {
            bus.AddConsumer<PingConsumer, PingConsumerDefinition>();
            bus.AddConsumer<EntryRecordedConsumer>();
            bus.AddConsumer<CountdownObserver>();
            bus.AddConsumer<LeaseObserver>();
        });
    }

    public async Task DisposeAsync()
    {
        if (_restart is not null) await _restart.DisposeAsync();
        if (Observer is not null) await Observer.DisposeAsync();
        await Isolated.DisposeAsync();
    }

    /// <summary>
    /// Starts the service armed at <paramref name="crashAt"/> (with the options <paramref name="more"/>), runs
    /// <paramref name="trigger"/>, waits until it died there. The restart is started at the same time, held before its
    /// host starts (<see cref="ServiceProcess.Hold"/>), so that its cold start overlaps the crash instead of following it.
    /// </summary>
    public async Task CrashAsync(string crashAt, Func<Task> trigger, params string[] more)
    {
        if (_restart is not null) await _restart.DisposeAsync();
        _restart = ServiceProcess.Hold(Isolated.RabbitMqUri, ServiceDatabase, RestartOptions(more));
        await using var service = await ServiceProcess.StartAsync(Isolated.RabbitMqUri, ServiceDatabase, crashAt, more);
        await trigger();
        await service.DiedAtAsync(crashAt);
    }

    /// <summary>The restart: the same service on the same queues and database, unarmed, with the crashed one's options but <c>publish</c>.</summary>
    public async Task<ServiceProcess> RestartAsync()
    {
        var restart = _restart ?? throw new InvalidOperationException("RestartAsync follows CrashAsync");
        _restart = null;
        await restart.GoAsync();
        return restart;
    }

    /// <summary>The restart does not commit the armed process's bus-outbox transaction a second time.</summary>
    private static string[] RestartOptions(string[] more) =>
        more is ["publish", _, .. var rest] ? rest : more;

    public async Task<T> QueryServiceAsync<T>(Func<TestDbContext, Task<T>> query)
    {
        await using var db = new TestDbContext(MigrationSchema.Options(MessagingTestHost.Limited(ServiceDatabase)));
        return await query(db);
    }

    public async Task<CountdownRow?> CountdownAsync(Guid id)
    {
        await using var connection = new NpgsqlConnection(MessagingTestHost.Limited(ServiceDatabase));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_state, starts, elapsed FROM countdown_state WHERE correlation_id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        return new CountdownRow(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2));
    }

    public async Task<LeaseRow?> LeaseAsync(Guid id)
    {
        await using var connection = new NpgsqlConnection(MessagingTestHost.Limited(ServiceDatabase));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_state, opens FROM lease_state WHERE correlation_id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        return new LeaseRow(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt32(1));
    }
}
