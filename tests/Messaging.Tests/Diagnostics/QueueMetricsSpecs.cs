using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Messaging.Diagnostics;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Diagnostics;

/// <summary>
/// <c>messaging.queue.ready</c>, <c>.consumers</c> and <c>.lag</c> against the real broker, read through the meter as a
/// dashboard would: stop the consumer, the queue fills and its lag grows; start it again, the queue drains to 0.
/// </summary>
public sealed class QueueMetricsSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private const string Queue = "ping";
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _latest = new();
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("queue-metrics");
        await MigrationSchema.CreateAsync(_db);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MessagingTelemetry.Name && instrument.Name.StartsWith("messaging.queue.", StringComparison.Ordinal))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public Task DisposeAsync()
    {
        _listener.Dispose();
        return Task.CompletedTask;
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? queue = null, vhost = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "queue") queue = tag.Value?.ToString();
            if (tag.Key == "vhost") vhost = tag.Value?.ToString();
        }

        if (queue == Queue && vhost == environment.VirtualHost) _latest[instrument.Name] = value;
    }

    private async Task<double> Gauge(string name, Func<double, bool> until, string what) =>
        await Eventually.Get(async () =>
        {
            _latest.Clear();
            _listener.RecordObservableInstruments();
            await Task.CompletedTask;
            return _latest.GetValueOrDefault(name, double.NaN);
        }, until, what);

    [Fact]
    public async Task A_stopped_consumer_shows_as_a_growing_queue_and_lag_that_drain_when_it_returns()
    {
        var run = Guid.NewGuid();
        var deliveries = new Deliveries();
        await using (await MessagingTestHost.StartAsync(environment, _db, Consumer, deliveries: deliveries))
        {
            // the consumer's endpoint declares the queue; it is measured while the consumer runs
            await Gauge(QueueMetrics.ConsumersName, v => v == 1, "one consumer on the queue");
        }

        // Another instance of a service that watches the queue but does not consume from it: the consumer is down.
        await using var watcher = await MessagingTestHost.StartAsync(environment, _db, _ => { });
        watcher.Services.GetRequiredService<QueueMonitor>().Watch(Queue);
        var endpoint = await watcher.Bus.GetSendEndpoint(watcher.QueueAddress(Queue));
        for (var i = 1; i <= 5; i++) await endpoint.Send(new Ping(run, i));

        await Gauge(QueueMetrics.ReadyName, v => v == 5, "five messages ready while the consumer is stopped");
        (await Gauge(QueueMetrics.ConsumersName, v => !double.IsNaN(v), "consumers measured")).ShouldBe(0);
        var lag = await Gauge(QueueMetrics.LagName, v => v > 0, "the queue lags");
        await Gauge(QueueMetrics.LagName, v => v > lag, "the lag grows while nothing is consumed");

        await using var consumer = await MessagingTestHost.StartAsync(environment, _db, Consumer, deliveries: deliveries);
        await Eventually.True(async () => { await Task.CompletedTask; return deliveries.Of<Ping>(p => p.RunId == run).Count == 5; },
            "the pings are consumed");
        await Gauge(QueueMetrics.ReadyName, v => v == 0, "the queue drained");
        await Gauge(QueueMetrics.LagName, v => v == 0, "no lag once drained");
        (await Gauge(QueueMetrics.ConsumersName, v => v == 1, "the consumer is back")).ShouldBe(1);
    }

    private static void Consumer(IBusRegistrationConfigurator bus) => bus.AddConsumer<PingConsumer, PingConsumerDefinition>();
}
