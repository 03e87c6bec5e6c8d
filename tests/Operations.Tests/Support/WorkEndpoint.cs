using MassTransit;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;

namespace OrderSystem.Operations.Tests.Support;

/// <summary>
/// A real MassTransit bus in the test class's vhost with one receive endpoint (a fresh queue per test) whose consumer
/// fails for the keys the ledger marks. With <c>UseMessageRetry(Immediate(2))</c> a failing message is tried three
/// times, then MassTransit moves it to <c>&lt;queue&gt;_error</c> with its real fault headers.
/// </summary>
public sealed class WorkEndpoint : IAsyncDisposable
{
    private readonly IBusControl _bus;
    private readonly BrokerProbe _probe;

    private WorkEndpoint(IBusControl bus, string queue, WorkLedger ledger, BrokerProbe probe)
    {
        _bus = bus;
        Queue = queue;
        Ledger = ledger;
        _probe = probe;
    }

    public string Queue { get; }
    public string ErrorQueue => Queue + "_error";
    public WorkLedger Ledger { get; }

    public static async Task<WorkEndpoint> StartAsync(IsolatedEnvironment environment, BrokerProbe probe)
    {
        var queue = "work-" + Guid.NewGuid().ToString("N")[..8];
        var ledger = new WorkLedger();
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(environment.RabbitMqUri);
            cfg.ReceiveEndpoint(queue, e =>
            {
                e.UseMessageRetry(r => r.Immediate(2));
                e.Consumer(() => new WorkConsumer(ledger));
            });
        });
        await bus.StartAsync();
        return new WorkEndpoint(bus, queue, ledger, probe);
    }

    /// <summary>Sends a message with a known message id.</summary>
    public async Task<string> SendAsync<T>(T message) where T : class
    {
        var id = Guid.NewGuid();
        var endpoint = await _bus.GetSendEndpoint(new Uri($"queue:{Queue}"));
        await endpoint.Send(message, context => context.MessageId = id);
        return id.ToString();
    }

    /// <summary>
    /// Sends a failing DoWork message per key, one at a time, each once the previous one sits in the error queue: the
    /// endpoint consumes concurrently, so sending them together would leave the error queue in any order. Returns the
    /// message ids, which are then the error queue's order.
    /// </summary>
    public async Task<IReadOnlyList<string>> FailAsync(params string[] keys)
    {
        Ledger.Fail(keys);
        var depth = await _probe.DepthAsync(ErrorQueue);
        var ids = new List<string>();
        foreach (var key in keys)
        {
            ids.Add(await SendAsync(new DoWork(key)));
            await WaitForErrorDepthAsync(++depth);
        }

        return ids;
    }

    public Task WaitForErrorDepthAsync(long depth) =>
        Eventually.True(async () => await _probe.DepthAsync(ErrorQueue) == depth, $"{ErrorQueue} holds {depth} message(s)");

    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}
