using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrderSystem.Messaging.Broker;
using RabbitMQ.Client;

namespace OrderSystem.Messaging.Bus;

/// <summary>
/// Readiness of the broker link itself. MassTransit's own bus check reports the health of its receive endpoints, so a
/// service with no endpoints (or whose endpoints have not noticed yet) can look healthy while RabbitMQ is unreachable.
/// This check keeps one small connection of its own and reports Unhealthy as soon as it is closed or cannot be opened;
/// it reconnects on the next probe, to any node of a cluster that answers. Its description names the node it is connected
/// to and the vhost, never the credentials.
/// </summary>
internal sealed class BrokerConnectionHealthCheck(BrokerEndpoints broker) : IHealthCheck, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { IsOpen: true })
            {
                return Connected(_connection);
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }

            _connection = await broker.ConnectAsync("health-check", cancellationToken); // no automatic recovery: a closed connection must show
            return Connected(_connection);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Cannot reach the broker at {broker}: {e.Message}");
        }
        finally
        {
            _gate.Release();
        }
    }

    private HealthCheckResult Connected(IConnection connection) =>
        HealthCheckResult.Healthy($"Connected to {connection.Endpoint.HostName}:{connection.Endpoint.Port}/{broker.VirtualHost}");

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        _gate.Dispose();
    }
}
