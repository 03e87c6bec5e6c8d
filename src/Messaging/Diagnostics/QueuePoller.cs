using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrderSystem.Messaging.Broker;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OrderSystem.Messaging.Diagnostics;

/// <summary>
/// The loop both queue monitors share: every <see cref="Interval"/>, a round of passive queue declares over AMQP (the
/// broker answers ready messages and consumers; no management plugin) on one connection of its own, reopened after a
/// failure; an outage is logged once, and the gauges keep their last values until the broker answers again. A derived
/// monitor says which queues it measures and what it reports (<see cref="MeasureAsync"/>).
/// </summary>
public abstract class QueuePoller(BrokerEndpoints broker, string name, ILogger logger) : BackgroundService
{
    private IConnection? _connection;
    private bool _failing;

    /// <summary>The broker's virtual host, the <c>vhost</c> tag of every gauge.</summary>
    protected string VirtualHost { get; } = broker.VirtualHost;

    protected abstract TimeSpan Interval { get; }

    /// <summary>One round: declare the queues (<see cref="DeclarePassiveAsync"/>) and report what they answer.</summary>
    protected abstract Task MeasureAsync(CancellationToken cancellationToken);

    /// <summary>Stops reporting every queue (the service is stopping: its figures would go stale).</summary>
    protected abstract void Forget();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            await RoundAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task RoundAsync(CancellationToken cancellationToken)
    {
        try
        {
            await MeasureAsync(cancellationToken);
            if (_failing) logger.LogInformation("{Monitor}: broker reachable again", name);
            _failing = false;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (!_failing) logger.LogWarning(e, "{Monitor}: cannot measure the queues; keeping the last values", name);
            _failing = true;
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }
        }
    }

    /// <summary>The queue's ready messages and consumers; null if it does not exist (yet).</summary>
    protected async Task<QueueDeclareOk?> DeclarePassiveAsync(string queue, CancellationToken cancellationToken)
    {
        _connection ??= await broker.ConnectAsync(name, cancellationToken); // a cluster's first node that answers

        // A passive declare of a missing queue closes the channel (404): one channel per queue.
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Forget();
        if (_connection is not null) await _connection.DisposeAsync();
        _connection = null;
    }
}
