using System.Collections.Concurrent;
using MassTransit;

namespace OrderSystem.Messaging.Tests.Support;

/// <summary>
/// Every delivery the broker made to this bus, before any inbox: (queue, message id). Shows whether a message was
/// sent more than once, which the consumers (behind their inbox) cannot see.
/// </summary>
public sealed class RawReceiveLog : IReceiveObserver
{
    private readonly ConcurrentQueue<(string Queue, Guid? MessageId)> _received = new();

    public int Count(string queue) => _received.Count(r => r.Queue == queue);

    public IReadOnlyList<Guid?> MessageIds(string queue) => _received.Where(r => r.Queue == queue).Select(r => r.MessageId).ToList();

    public Task PreReceive(ReceiveContext context)
    {
        _received.Enqueue((context.InputAddress.AbsolutePath.Split('/').Last(), context.GetMessageId()));
        return Task.CompletedTask;
    }

    public Task PostReceive(ReceiveContext context) => Task.CompletedTask;
    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;
    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class => Task.CompletedTask;
    public Task ReceiveFault(ReceiveContext context, Exception exception) => Task.CompletedTask;
}
