using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrderSystem.Messaging.Diagnostics;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Diagnostics;

/// <summary>The "OrderSystem.Messaging" meter: delivered messages, bus-outbox backlog and scheduler backlog.</summary>
public sealed class MessagingMetricsSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _latest = new();
    private long _deliveredByBus;
    private string _db = "";
    private string _database = "";

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("metrics");
        _database = new NpgsqlConnectionStringBuilder(_db).Database!;
        await MigrationSchema.CreateAsync(_db);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MessagingTelemetry.Name) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "messaging.outbox.delivered" && Tag(tags, "outbox") == "bus") Interlocked.Add(ref _deliveredByBus, value);
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (Tag(tags, "db_name") == _database) _latest[instrument.Name] = value;
        });
        _listener.Start();
    }

    public Task DisposeAsync()
    {
        _listener.Dispose();
        return Task.CompletedTask;
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
            if (tag.Key == key) return tag.Value?.ToString();
        return null;
    }

    private async Task<double> Gauge(string name, Func<double, bool> until, string what) =>
        await Eventually.Get(async () =>
        {
            _listener.RecordObservableInstruments();
            return _latest.GetValueOrDefault(name, double.NaN);
        }, until, what);

    [Fact]
    public async Task Delivered_messages_and_both_backlogs_are_measured()
    {
        await using var host = await MessagingTestHost.StartAsync(environment, _db, bus => bus.AddConsumer<PingConsumer, PingConsumerDefinition>());
        var run = Guid.NewGuid();
        var before = Interlocked.Read(ref _deliveredByBus);

        await host.InScopeAsync(async (scope, db) =>
        {
            var publish = scope.GetRequiredService<IPublishEndpoint>();
            await publish.Publish(new Ping(run, 1));
            await publish.Publish(new Ping(run, 2));
            await scope.GetRequiredService<IMessageScheduler>().ScheduleSend(host.QueueAddress("ping"), DateTime.UtcNow.AddMinutes(10), new Ping(run, 3));
            await db.SaveChangesAsync();
        });
        await Eventually.True(async () => host.Deliveries.Of<Ping>(p => p.RunId == run).Count == 2, "the published pings arrive");

        (Interlocked.Read(ref _deliveredByBus) - before).ShouldBeGreaterThanOrEqualTo(2);
        await Gauge("messaging.scheduler.pending", v => v == 1, "one scheduled message pending");
        (await Gauge("messaging.scheduler.next_due", v => v > 0, "next due in the future")).ShouldBeLessThanOrEqualTo(600);

        // A committed outbox that no delivery service can take (this test holds its row lock) is backlog.
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using (var insert = new NpgsqlCommand(
                         "INSERT INTO outbox_state (outbox_id, lock_id, created) VALUES (@id, @id, now() - interval '5 seconds')", connection))
        {
            insert.Parameters.AddWithValue("id", Guid.NewGuid());
            await insert.ExecuteNonQueryAsync();
        }

        await using var hold = await connection.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT outbox_id FROM outbox_state FOR UPDATE", connection, hold))
            await lockRow.ExecuteNonQueryAsync();

        await Gauge("messaging.outbox.backlog", v => v == 1, "one outbox waiting");
        await Gauge("messaging.outbox.oldest_age", v => v >= 5, "its age");
        await hold.RollbackAsync();
        await Gauge("messaging.outbox.backlog", v => v == 0, "the outbox delivered once released");
    }
}
