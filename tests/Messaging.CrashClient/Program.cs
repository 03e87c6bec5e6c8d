using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.Messaging.Bus;
using OrderSystem.Messaging.CrashClient;
using OrderSystem.Messaging.Tests.Contracts;

// Usage: CrashClient <amqp uri> <postgres connection string> <run id>
//          a producer that commits bus-outbox messages in a loop, delivery off, until killed
//        CrashClient consume <amqp uri> <postgres connection string> kill-after-commit|run
//          a consumer of RecordEntry (queue crash-record-entry) on the consumer outbox; with kill-after-commit it kills
//          itself the moment its first transaction with outbox rows commits, before anything reaches the broker
//        CrashClient crash-on <amqp uri> <postgres connection string> <queue type> <delivery limit> <poison sequence>
//          a consumer of Ping whose process kills itself on one message (CrashOnMessage.cs)
if (args[0] == "crash-on") return await CrashOnMessage.RunAsync(args[1..]);
if (args[0] == "consume") return await ConsumeAsync(args[1], args[2], args[3] == "kill-after-commit");

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Configuration["ConnectionStrings:messaging"] = args[0];
builder.Services.AddDbContext<CrashDbContext>(o => o.UseNpgsql(args[1]));
builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
builder.AddMessageBus<CrashDbContext>(_ => { }, o =>
{
    o.DeliveryServiceEnabled = false; // commits reach the database; nothing in this process ever reaches the broker
    o.InboxCleanupEnabled = false;
});
using var host = builder.Build();
await host.StartAsync();

var runId = Guid.Parse(args[2]);
for (var sequence = 0; ; sequence++)
{
    await using var scope = host.Services.CreateAsyncScope();
    var db = scope.ServiceProvider.GetRequiredService<CrashDbContext>();
    var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
    db.Ledger.Add(new CrashLedgerEntry { EntryId = runId, Source = $"crash-{sequence}" });
    await publish.Publish(new Ping(runId, sequence));
    await db.SaveChangesAsync();
    Console.WriteLine($"COMMITTED {sequence}");
}

static async Task<int> ConsumeAsync(string amqp, string database, bool killAfterCommit)
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
    builder.Configuration["ConnectionStrings:messaging"] = amqp;
    var kill = new KillAfterOutboxCommit();
    builder.Services.AddDbContext<CrashDbContext>(o =>
    {
        o.UseNpgsql(database);
        if (killAfterCommit) o.AddInterceptors(kill);
    });
    builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
    builder.AddMessageBus<CrashDbContext>(bus => bus.AddConsumer<RecordEntryConsumer, RecordEntryConsumerDefinition>(), o =>
    {
        o.QueryDelay = TimeSpan.FromMilliseconds(200);
        o.InboxCleanupEnabled = false;
    });
    using var host = builder.Build();
    await host.StartAsync();
    Console.WriteLine("STARTED");
    await host.WaitForShutdownAsync();
    return 0;
}
