using System.Collections.Concurrent;
using MassTransit;

namespace OrderSystem.Messaging.Sagas.Tests;

/// <summary>The message ids of every consume fault the bus's receive endpoints report (whatever retry or queue follows).</summary>
public sealed class ConsumeFaultLog : IReceiveObserver
{
    private readonly ConcurrentQueue<Guid?> _faulted = new();

    public IReadOnlyList<Guid?> MessageIds => [.. _faulted];

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
        where T : class
    {
        _faulted.Enqueue(context.MessageId);
        return Task.CompletedTask;
    }

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;
    public Task PostReceive(ReceiveContext context) => Task.CompletedTask;
    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;
    public Task ReceiveFault(ReceiveContext context, Exception exception) => Task.CompletedTask;
}
