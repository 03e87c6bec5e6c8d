using OrderSystem.Operations.Connection;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// The AMQP side of the error-queue commands: reads a queue without consuming it, moves messages with publisher
/// confirms, purges.
/// <para>
/// Reading: <c>basic.get</c> with manual acknowledgement, up to the depth the queue had when we started (messages that
/// arrive meanwhile are left alone), holding every delivery unacknowledged. What is not moved is returned with one
/// <c>basic.nack(requeue)</c>: RabbitMQ puts requeued messages back at their original position when it can (always,
/// for a classic queue that nobody else consumes, which is what an error queue is), with the redelivered flag set.
/// If the tool dies, the broker requeues the held deliveries itself when the connection drops: nothing is lost.
/// </para>
/// <para>
/// Moving: publish to the target queue (default exchange, mandatory) on a channel with publisher confirms, wait for
/// the broker's confirm, and only then acknowledge the original. A crash between the two leaves the message in both
/// queues (a duplicate, which the receiving service's inbox absorbs), never in neither.
/// </para>
/// </summary>
public sealed class ErrorQueueChannel : IAsyncDisposable
{
    private readonly BrokerAddress _broker;
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly SortedSet<ulong> _held = [];

    private ErrorQueueChannel(BrokerAddress broker, IConnection connection, IChannel channel)
    {
        _broker = broker;
        _connection = connection;
        _channel = channel;
    }

    public static async Task<ErrorQueueChannel> OpenAsync(BrokerAddress broker, CancellationToken cancellationToken)
    {
        var connection = await broker.ConnectAsync(cancellationToken);
        try
        {
            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellationToken);
            return new ErrorQueueChannel(broker, connection, channel);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Messages in the queue (ready ones; what we hold ourselves is not counted).</summary>
    public async Task<uint> GetDepthAsync(string queue, CancellationToken cancellationToken)
    {
        try
        {
            return (await _channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            throw new CommandFailedException($"queue '{queue}' does not exist in vhost '{_broker.VirtualHost}'");
        }
    }

    /// <summary>Takes up to <paramref name="max"/> messages from the head of the queue and holds them unacknowledged.</summary>
    public async Task<IReadOnlyList<ErrorQueueMessage>> TakeAsync(string queue, int? max, CancellationToken cancellationToken)
    {
        var depth = (int)Math.Min(await GetDepthAsync(queue, cancellationToken), int.MaxValue);
        var limit = max is { } m ? Math.Min(m, depth) : depth;
        var messages = new List<ErrorQueueMessage>(limit);
        while (messages.Count < limit)
        {
            var result = await _channel.BasicGetAsync(queue, autoAck: false, cancellationToken);
            if (result is null) break;
            _held.Add(result.DeliveryTag);
            messages.Add(new ErrorQueueMessage(result.DeliveryTag, messages.Count + 1, queue, result.BasicProperties, result.Body.ToArray()));
        }

        return messages;
    }

    /// <summary>
    /// Publishes <paramref name="message"/>'s body with <paramref name="properties"/> to <paramref name="targetQueue"/>,
    /// waits for the broker's confirm, then acknowledges the original delivery.
    /// </summary>
    public async Task MoveAsync(ErrorQueueMessage message, string targetQueue, BasicProperties properties, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.BasicPublishAsync(exchange: "", routingKey: targetQueue, mandatory: true, properties, message.Body, cancellationToken);
        }
        catch (PublishException e) when (e.IsReturn)
        {
            throw new CommandFailedException(
                $"queue '{targetQueue}' does not exist in vhost '{_broker.VirtualHost}': message {message.MessageId} stays in '{message.ErrorQueue}'", ExitCodes.Error, e);
        }
        catch (PublishException e)
        {
            throw new CommandFailedException(
                $"the broker did not confirm the publish to '{targetQueue}': message {message.MessageId} stays in '{message.ErrorQueue}'", ExitCodes.Error, e);
        }

        await _channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
        _held.Remove(message.DeliveryTag);
    }

    /// <summary>Deletes one held message (acknowledges it without publishing it anywhere).</summary>
    public async Task DeleteAsync(ErrorQueueMessage message, CancellationToken cancellationToken)
    {
        await _channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
        _held.Remove(message.DeliveryTag);
    }

    /// <summary>Returns every message still held to its queue, in place.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (_held.Count == 0 || !_channel.IsOpen) return;
        await _channel.BasicNackAsync(_held.Max, multiple: true, requeue: true, cancellationToken);
        _held.Clear();
    }

    /// <summary>Deletes every ready message of the queue; returns how many.</summary>
    public async Task<uint> PurgeAsync(string queue, CancellationToken cancellationToken)
    {
        await GetDepthAsync(queue, cancellationToken);
        return await _channel.QueuePurgeAsync(queue, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Closing the channel would requeue them too; releasing first keeps the intent explicit.
            await ReleaseAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException)
        {
            // The broker requeues unacknowledged deliveries of a closed channel by itself.
        }

        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
