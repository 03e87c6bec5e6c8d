using System.Threading.Channels;

namespace OrderSystem.Ordering.StateFeed;

/// <summary>
/// The state changes this Ordering process has committed, handed to whoever listens right now (the
/// <c>GET /orders/events</c> streams). In memory and per process: a listener sees the changes made from the moment it
/// subscribed, by this instance; what it missed it reads with <c>GET /orders/{id}</c>.
/// </summary>
public sealed class OrderStateFeed
{
    // Per listener: a listener that stops reading loses its oldest changes rather than growing the process's memory.
    private const int ListenerCapacity = 1000;

    private readonly Lock _lock = new();
    private Channel<OrderStateChanged>[] _listeners = [];

    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<OrderStateChanged>(
            new BoundedChannelOptions(ListenerCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_lock) _listeners = [.. _listeners, channel];
        return new Subscription(this, channel);
    }

    public void Publish(OrderStateChanged change)
    {
        foreach (var listener in Volatile.Read(ref _listeners)) listener.Writer.TryWrite(change);
    }

    private void Unsubscribe(Channel<OrderStateChanged> channel)
    {
        lock (_lock) _listeners = [.. _listeners.Where(l => l != channel)];
        channel.Writer.TryComplete();
    }

    public sealed class Subscription(OrderStateFeed feed, Channel<OrderStateChanged> channel) : IDisposable
    {
        public ChannelReader<OrderStateChanged> Changes => channel.Reader;

        public void Dispose() => feed.Unsubscribe(channel);
    }
}
