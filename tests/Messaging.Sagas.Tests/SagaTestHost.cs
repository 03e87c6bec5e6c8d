using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrderSystem.Messaging.Bus;
using OrderSystem.Messaging.Sagas.Tests.Counter;
using OrderSystem.Testing.Infrastructure;

namespace OrderSystem.Messaging.Sagas.Tests;

/// <summary>
/// A host with the counter saga on our EF Core repository, wired the way a service wires it
/// (<c>AddMessageBus</c> + <c>AddSagaStateMachine(…).EntityFrameworkRepository(…)</c>), on the test class's vhost and
/// a fresh database created from the model.
/// </summary>
public sealed class SagaTestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private SagaTestHost(IHost host, string connectionString)
    {
        _host = host;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }
    public IServiceProvider Services => _host.Services;
    public IBus Bus => _host.Services.GetRequiredService<IBus>();

    /// <param name="outerTransaction">Put <see cref="OuterTransactionFilter{T}"/> in front of the saga: the consumer
    /// outbox's contract (a transaction open on the scoped DbContext before the saga runs), played by a small filter.</param>
    /// <param name="consumerOutbox">Use the real consumer outbox + inbox of src/Messaging (<c>AddMessageBus&lt;TDbContext&gt;</c>)
    /// on <see cref="OutboxSagaTestDbContext"/>.</param>
    public static async Task<SagaTestHost> StartAsync(
        IsolatedEnvironment environment, ConcurrencyMode mode, bool outerTransaction = false, bool consumerOutbox = false)
    {
        // A small pool: the PostgreSQL server (max_connections 100) is shared with every other test run on the machine.
        var connectionString = new NpgsqlConnectionStringBuilder(await environment.CreateDatabaseAsync("sagas")) { MaxPoolSize = 24 }.ConnectionString;

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:messaging"] = environment.RabbitMqUri.ToString(),
        });
        builder.Services.AddSingleton(new OuterTransactionProbe(connectionString));
        builder.Services.Configure<MassTransitHostOptions>(options => options.WaitUntilStarted = true);

        if (consumerOutbox)
        {
            builder.Services.AddDbContext<OutboxSagaTestDbContext>(options => options.UseNpgsql(connectionString));
            builder.Services.AddScoped<SagaTestDbContext>(provider => provider.GetRequiredService<OutboxSagaTestDbContext>());
            builder.AddMessageBus<OutboxSagaTestDbContext>(bus =>
                bus.AddSagaStateMachine<CounterStateMachine, CounterState, CounterStateDefinition>()
                    .EntityFrameworkRepository(r =>
                    {
                        r.ConcurrencyMode = mode;
                        r.ExistingDbContext<OutboxSagaTestDbContext>();
                    }));
        }
        else
        {
            builder.Services.AddDbContext<SagaTestDbContext>(options => options.UseNpgsql(connectionString));
            builder.AddMessageBus(bus =>
            {
                bus.AddSagaStateMachine<CounterStateMachine, CounterState, CounterStateDefinition>()
                    .EntityFrameworkRepository(r =>
                    {
                        r.ConcurrencyMode = mode;
                        r.ExistingDbContext<SagaTestDbContext>();
                    });

                if (outerTransaction)
                {
                    bus.AddConfigureEndpointsCallback((context, _, endpoint) =>
                        endpoint.UseConsumeFilter(typeof(OuterTransactionFilter<>), context));
                }
            });
        }

        var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<SagaTestDbContext>().Database.EnsureCreatedAsync();
        }

        await host.StartAsync();
        return new SagaTestHost(host, connectionString);
    }

    /// <summary>The instance as stored, read through a fresh DbContext (no tracking, no lock).</summary>
    public async Task<CounterState?> ReadAsync(Guid id)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SagaTestDbContext>();
        return await db.Set<CounterState>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == id);
    }

    public async Task<int> CountAsync(Guid id)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SagaTestDbContext>();
        return await db.Set<CounterState>().CountAsync(x => x.CorrelationId == id);
    }

    /// <summary>How many sessions of this test's database are waiting for a lock held by another (a blocked creator).</summary>
    public async Task<long> LockWaitersAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
