using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.Messaging.Bus;

namespace OrderSystem.Messaging.CrashClient;

/// <summary>
/// <c>CrashClient crash-on &lt;amqp uri&gt; &lt;postgres connection string&gt; &lt;queue type&gt; &lt;delivery limit&gt; &lt;poison sequence&gt;</c>:
/// a service-like consumer of Ping (queue crash-poison-ping, consumer outbox, <c>Messaging:QueueType</c> and
/// <c>Messaging:DeliveryLimit</c> as given) whose process kills itself on the Ping with the poison sequence number.
/// Prints STARTED, then CONSUMED n per Ping recorded and DYING ON n before it dies.
/// </summary>
public static class CrashOnMessage
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["ConnectionStrings:messaging"] = args[0];
        builder.Configuration["Messaging:QueueType"] = args[2];
        builder.Configuration["Messaging:DeliveryLimit"] = args[3];
        builder.Services.AddSingleton(new PoisonPing(int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture)));
        builder.Services.AddDbContext<CrashDbContext>(o => o.UseNpgsql(args[1]));
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        builder.AddMessageBus<CrashDbContext>(bus => bus.AddConsumer<PoisonPingConsumer, PoisonPingConsumerDefinition>(), o =>
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
}
