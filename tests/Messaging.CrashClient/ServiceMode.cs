using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.Messaging.Bus;
using OrderSystem.Messaging.Sagas;
using OrderSystem.Messaging.Storage;
using OrderSystem.Messaging.Tests.Contracts;

namespace OrderSystem.Messaging.CrashClient;

/// <summary>
/// A service-like process for the crash-point tests: the RecordEntry consumer (queue crash-record-entry), the
/// countdown saga (queue countdown-state) and the lease saga (queue lease-state) on the consumer outbox, the delivery
/// service on. With <c>publish &lt;run id&gt;</c> it also commits, once started, one bus-outbox transaction: a ledger
/// entry and three Pings (an HTTP handler's save). With <c>cleanup</c> the inbox cleanup runs every 200 ms in batches
/// of <see cref="CleanupBatch"/> rows (off otherwise, so it never races the other tests' inbox checks). With <c>hold</c>
/// it builds and warms its host, prints READY and waits for a line on stdin before it starts (the tests start the
/// restart that way while the armed process runs). Where it dies is chosen by ORDERSYSTEM_CRASH_AT
/// (src/Messaging/CrashTesting); the test restarts it without the variable.
/// </summary>
public static class ServiceMode
{
    public const int PingsPerPublish = 3;
    public const int CleanupBatch = 2;

    public static async Task<int> RunAsync(string amqp, string database, string[] options)
    {
        Guid? publishRun = options is ["publish", var runId, ..] ? Guid.Parse(runId) : null;
        var cleanup = options.Contains("cleanup");
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
            bus.AddSagaStateMachine<LeaseStateMachine, LeaseState>()
                .EntityFrameworkRepository(r =>
                {
                    r.ConcurrencyMode = ConcurrencyMode.Pessimistic;
                    r.ExistingDbContext<CrashDbContext>();
                });
        }, o =>
        {
            o.QueryDelay = TimeSpan.FromMilliseconds(200);
            o.MaxDeliveryBackoff = TimeSpan.FromSeconds(1);
            o.InboxCleanupEnabled = cleanup;
            o.InboxCleanupInterval = TimeSpan.FromMilliseconds(200);
            if (cleanup) o.QueryMessageLimit = CleanupBatch;
        });
        using var host = builder.Build();
        if (options.Contains("hold"))
        {
            await WarmUpAsync(host.Services);
            Console.WriteLine("READY");
            if (await Console.In.ReadLineAsync() is null) return 0; // the test went away without a go-ahead
        }

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

    /// <summary>
    /// What a cold process spends most of its first seconds on, done while held and touching nothing the test observes:
    /// the bus is built (endpoints and pipes configured; no broker connection until the host starts) and the EF model and query
    /// pipeline are compiled by reads that find nothing.
    /// </summary>
    private static async Task WarmUpAsync(IServiceProvider services)
    {
        services.GetRequiredService<IBusControl>();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrashDbContext>();
        await db.Ledger.AnyAsync(l => l.EntryId == Guid.Empty);
        await db.Set<InboxState>().AnyAsync(i => i.MessageId == Guid.Empty);
        await db.Set<CountdownState>().AnyAsync(c => c.CorrelationId == Guid.Empty);
    }
}
