using System.Diagnostics;
using MassTransit;
using OrderSystem.Messaging.Tests.Contracts;

namespace OrderSystem.Messaging.CrashClient;

/// <summary>
/// Records each <see cref="Ping"/> in the ledger, except the poison one (<see cref="PoisonPing"/>): on that one the whole
/// process dies with SIGKILL, as a process does on a message that crashes the runtime (a stack overflow, a native crash,
/// an out-of-memory kill). No exception, no fault, no retry: the broker only sees the connection drop.
/// </summary>
public sealed class PoisonPingConsumer(CrashDbContext db, PoisonPing poison) : IConsumer<Ping>
{
    public const string Queue = "crash-poison-ping";

    public async Task Consume(ConsumeContext<Ping> context)
    {
        if (context.Message.Sequence == poison.Sequence)
        {
            Console.WriteLine($"DYING ON {context.Message.Sequence}");
            Console.Out.Flush();
            Process.GetCurrentProcess().Kill(); // SIGKILL on Linux: nothing after this line runs
        }

        db.Ledger.Add(new CrashLedgerEntry { EntryId = context.Message.RunId, Source = $"ping-{context.Message.Sequence}" });
        await db.SaveChangesAsync(context.CancellationToken);
        Console.WriteLine($"CONSUMED {context.Message.Sequence}");
    }
}

/// <summary>
/// Prefetch 1: the process holds only the message it is working on when it dies. (With more, every message it holds
/// unacknowledged is handed back too, and on a quorum queue each such return counts toward that message's delivery limit.)
/// </summary>
public sealed class PoisonPingConsumerDefinition : ConsumerDefinition<PoisonPingConsumer>
{
    public PoisonPingConsumerDefinition()
    {
        EndpointName = PoisonPingConsumer.Queue;
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PoisonPingConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = 1;
    }
}
