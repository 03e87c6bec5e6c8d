using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.Messaging.Bus;
using OrderSystem.Messaging.Sagas;
using OrderSystem.Messaging.Tests.Contracts;

namespace OrderSystem.Messaging.CrashClient;

/// <summary>
/// A service-like process for the crash-point tests: the RecordEntry consumer (queue crash-record-entry) and the
/// countdown saga (queue countdown-state) on the consumer outbox, the delivery service on. With <c>publish</c> it also
/// commits, once started, one bus-outbox transaction: a ledger entry and three Pings (an HTTP handler's save). Where it
/// dies is chosen by ORDERSYSTEM_CRASH_AT (src/Messaging/CrashTesting); the test restarts it without the variable.
/// </summary>
public static class ServiceMode
{
    public const int PingsPerPublish = 3;

    public static async Task<int> RunAsync(string amqp, string database, Guid? publishRun)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["ConnectionStrings:messaging"] = amqp;
        builder.Services.AddDbContext<CrashDbContext>(o => o.UseNpgsql(database));
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        builder.AddMessageBus<CrashDbContext>(bus =>
        {
            bus.AddConsumer<RecordEntryConsumer, RecordEntryConsumerDefinition>();
            bus.AddSagaStateMachine<CountdownStateMachine, CountdownState>()
                .EntityFrameworkRepository(r =>
                {
                    r.ConcurrencyMode = ConcurrencyMode.Pessimistic;
                    r.ExistingDbContext<CrashDbContext>();
                });
        }, o =>
        {
            o.QueryDelay = TimeSpan.FromMilliseconds(200);
            o.MaxDeliveryBackoff = TimeSpan.FromSeconds(1);
            o.InboxCleanupEnabled = false;
        });
        using var host = builder.Build();
        await host.StartAsync();
        Console.WriteLine("STARTED");

        if (publishRun is { } run)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CrashDbContext>();
            var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
            db.Ledger.Add(new CrashLedgerEntry { EntryId = run, Source = "publish" });
            for (var sequence = 0; sequence < PingsPerPublish; sequence++) await publish.Publish(new Ping(run, sequence));
            await db.SaveChangesAsync();
            Console.WriteLine("COMMITTED");
        }

        await host.WaitForShutdownAsync();
        return 0;
    }
}
