using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrderSystem.Messaging.Bus;
using OrderSystem.Messaging.Configuration;
using OrderSystem.Testing.Infrastructure;

namespace OrderSystem.Messaging.Tests.Support;

/// <summary>
/// A service-like host for a test: MassTransit on the class's vhost, <see cref="TestDbContext"/> on the given database,
/// wired with <c>AddMessageBus&lt;TestDbContext&gt;</c> exactly as a service does, with short poll intervals.
/// </summary>
public sealed class MessagingTestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private MessagingTestHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;
    public Deliveries Deliveries => Services.GetRequiredService<Deliveries>();
    public RawReceiveLog Raw => Services.GetRequiredService<RawReceiveLog>();
    public LogCapture Logs => Services.GetRequiredService<LogCapture>();
    public IBus Bus => Services.GetRequiredService<IBus>();

    public static async Task<MessagingTestHost> StartAsync(IsolatedEnvironment environment, string connectionString,
        Action<IBusRegistrationConfigurator> configure, Action<EntityFrameworkOutboxOptions>? outbox = null, Deliveries? deliveries = null, Uri? broker = null,
        IReadOnlyDictionary<string, string?>? settings = null, LogCapture? logs = null, bool serviceStopTimeouts = false,
        Action<DbContextOptionsBuilder>? database = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["ConnectionStrings:messaging"] = (broker ?? environment.RabbitMqUri).ToString();
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) builder.Configuration[key] = value;
        logs ??= new LogCapture();
        builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Information);
        builder.Services.AddSingleton(logs);
        builder.Services.AddSingleton(deliveries ?? new Deliveries());
        builder.Services.AddSingleton<RawReceiveLog>();
        builder.Services.AddReceiveObserver(provider => provider.GetRequiredService<RawReceiveLog>());
        builder.Services.AddDbContext<TestDbContext>(o =>
        {
            o.UseNpgsql(Limited(connectionString));
            database?.Invoke(o);
        });
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true;
            if (!serviceStopTimeouts) o.StopTimeout = TimeSpan.FromSeconds(10); // otherwise AddMessageBus's, as in a service
        });

        builder.AddMessageBus<TestDbContext>(configure, o =>
        {
            o.QueryDelay = TimeSpan.FromMilliseconds(200);
            o.MaxDeliveryBackoff = TimeSpan.FromSeconds(1);
            outbox?.Invoke(o);
        });

        var host = builder.Build();
        await host.StartAsync();
        return new MessagingTestHost(host);
    }

    /// <summary>A small pool that lets go of idle connections: the server's connections are shared by every test run.</summary>
    public static string Limited(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 10, ConnectionIdleLifetime = 10 }.ConnectionString;

    /// <summary>Runs <paramref name="work"/> in a new DI scope, as an HTTP request would.</summary>
    public async Task InScopeAsync(Func<IServiceProvider, TestDbContext, Task> work)
    {
        await using var scope = Services.CreateAsyncScope();
        await work(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<TestDbContext>());
    }

    public async Task<T> QueryAsync<T>(Func<TestDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<TestDbContext>());
    }

    public Uri QueueAddress(string queue) => new($"queue:{queue}");

    public Task StopAsync() => _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync();
        }
        finally
        {
            _host.Dispose();
            NpgsqlConnection.ClearAllPools();
        }
    }
}
