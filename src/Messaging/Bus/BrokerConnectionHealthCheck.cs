using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace OrderSystem.Messaging.Bus;

/// <summary>
/// Readiness of the broker link itself. MassTransit's own bus check reports the health of its receive endpoints, so a
/// service with no endpoints (or whose endpoints have not noticed yet) can look healthy while RabbitMQ is unreachable.
/// This check keeps one small connection of its own and reports Unhealthy as soon as it is closed or cannot be opened;
/// it reconnects on the next probe. Its description names the host and vhost, never the credentials.
/// </summary>
internal sealed class BrokerConnectionHealthCheck(Uri brokerUri) : IHealthCheck, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _target = $"{brokerUri.Host}:{brokerUri.Port}{brokerUri.AbsolutePath}";
    private IConnection? _connection;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { IsOpen: true })
            {
                return HealthCheckResult.Healthy($"Connected to {_target}");
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }

            var factory = new ConnectionFactory
            {
                Uri = brokerUri,
                AutomaticRecoveryEnabled = false, // a closed connection must show, not be papered over
                RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
                ClientProvidedName = "health-check",
            };
            _connection = await factory.CreateConnectionAsync(cancellationToken);
            return HealthCheckResult.Healthy($"Connected to {_target}");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Cannot reach the broker at {_target}: {e.Message}");
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        _gate.Dispose();
    }
}
