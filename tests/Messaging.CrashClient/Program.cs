using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.Messaging.Bus;
using OrderSystem.Messaging.CrashClient;
using OrderSystem.Messaging.Tests.Contracts;

// Usage: CrashClient <amqp uri> <postgres connection string> <run id>
//          a producer that commits bus-outbox messages in a loop, delivery off, until killed
//        CrashClient service <amqp uri> <postgres connection string> [publish <run id>] [cleanup] [hold]
//          a consumer and sagas on the consumer outbox, delivery on (ServiceMode.cs); dies where ORDERSYSTEM_CRASH_AT says
//        CrashClient crash-on <amqp uri> <postgres connection string> <queue type> <delivery limit> <poison sequence>
//          a consumer of Ping whose process kills itself on one message (CrashOnMessage.cs)
if (args[0] == "service") return await ServiceMode.RunAsync(args[1], args[2], args[3..]);
if (args[0] == "crash-on") return await CrashOnMessage.RunAsync(args[1..]);

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
