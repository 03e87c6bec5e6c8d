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
/// <c>messaging.queue.ready</c>, <c>.unacked</c>, <c>.consumers</c> and <c>.lag</c> against the real broker, read through
/// the meter as a dashboard would: stop the consumer, the queue fills and its lag grows; start it again, the queue drains
/// to 0. A consumer that holds messages shows them as unacknowledged until it lets them go.
/// </summary>
public sealed class QueueMetricsSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private const string Queue = "ping";
    private const string HeldQueue = "held-ping";
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

        if (vhost == environment.VirtualHost) _latest[$"{instrument.Name}/{queue}"] = value;
    }

    private async Task<double> Gauge(string name, Func<double, bool> until, string what, string queue = Queue) =>
        await Eventually.Get(async () =>
        {
            _latest.Clear();
            _listener.RecordObservableInstruments();
            await Task.CompletedTask;
            return _latest.GetValueOrDefault($"{name}/{queue}", double.NaN);
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

    [Fact]
    public async Task Messages_a_consumer_holds_show_as_unacknowledged_until_it_lets_them_go()
    {
        var run = Guid.NewGuid();
        var gate = new PingGate();
        var deliveries = new Deliveries();
        await using var host = await MessagingTestHost.StartAsync(environment, _db, bus =>
        {
            bus.AddSingleton(gate);
            bus.AddConsumer<HeldPingConsumer, HeldPingConsumerDefinition>();
        }, deliveries: deliveries);
        (await Gauge(QueueMetrics.UnackedName, v => !double.IsNaN(v), "the held queue measured", HeldQueue)).ShouldBe(0);

        // Five messages; the consumer takes three (its limit and prefetch) and holds them; two wait in the queue.
        var endpoint = await host.Bus.GetSendEndpoint(host.QueueAddress(HeldQueue));
        for (var i = 1; i <= 5; i++) await endpoint.Send(new Ping(run, i));
        await Eventually.True(() => Task.FromResult(Volatile.Read(ref gate.Holding) == HeldPingConsumerDefinition.Limit), "the consumer holds three");

        await Gauge(QueueMetrics.UnackedName, v => v == HeldPingConsumerDefinition.Limit, "three unacknowledged: the held ones", HeldQueue);
        await Gauge(QueueMetrics.ReadyName, v => v == 5 - HeldPingConsumerDefinition.Limit, "the other two ready", HeldQueue);
        // The broker agrees (its management API, refreshed every few seconds, is only the cross-check here).
        await Eventually.Get(() => environment.Management.GetQueueAsync(environment.VirtualHost, HeldQueue),
            q => q is { MessagesUnacknowledged: HeldPingConsumerDefinition.Limit }, "the broker's unacked count", TimeSpan.FromSeconds(60));

        gate.Open();
        await Eventually.True(() => Task.FromResult(deliveries.Of<Ping>(p => p.RunId == run).Count == 5), "all five consumed");
        await Gauge(QueueMetrics.UnackedName, v => v == 0, "nothing unacknowledged once released", HeldQueue);
        await Gauge(QueueMetrics.ReadyName, v => v == 0, "the queue drained", HeldQueue);
    }

    private static void Consumer(IBusRegistrationConfigurator bus) => bus.AddConsumer<PingConsumer, PingConsumerDefinition>();
}
