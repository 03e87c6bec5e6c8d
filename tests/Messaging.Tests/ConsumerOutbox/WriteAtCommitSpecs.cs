using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OrderSystem.Messaging.Storage;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Database;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.ConsumerOutbox;

/// <summary>
/// A consumer's write handed to its pass's commit batch (<c>context.WriteAtCommit</c>): it reaches PostgreSQL in the
/// batch that commits the pass, after the pass's own rows, and a refusal of it takes the whole pass with it.
/// </summary>
public sealed class WriteAtCommitSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private const string Queue = "adjust-counter";
    private string _db = "";
    private NpgsqlDataSource _data = null!;

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("writeatcommit");
        await MigrationSchema.CreateAsync(_db);
        _data = NpgsqlDataSource.Create(_db);
        await using var create = _data.CreateCommand("CREATE TABLE counters (name text PRIMARY KEY, value integer NOT NULL CONSTRAINT ck_counters_not_negative CHECK (value >= 0))");
        await create.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync() => await _data.DisposeAsync();

    [Fact]
    public async Task A_handed_write_commits_with_the_pass_in_its_last_batch()
    {
        var counter = await NewCounterAsync(value: 0);
        var entry = Guid.NewGuid();
        using var recorder = new RoundTripRecorder(new NpgsqlConnectionStringBuilder(_db).Database!);
        await using var host = await StartHostAsync();

        await SendAsync(host, new AdjustCounter(entry, counter, 2));
        await Eventually.True(async () => host.Deliveries.Of<EntryRecorded>(e => e.EntryId == entry).Count == 1, "the event arrives");

        (await ValueAsync(counter)).ShouldBe(2);
        (await host.QueryAsync(db => db.Ledger.CountAsync(l => l.EntryId == entry))).ShouldBe(1);
        var trip = recorder.Trips.Single(sql => sql.Contains("UPDATE counters", StringComparison.Ordinal));
        var update = trip.IndexOf("UPDATE counters", StringComparison.Ordinal);
        trip.IndexOf("INSERT INTO \"outbox_message\"", StringComparison.Ordinal).ShouldBeInRange(0, update, "after the pass's outbox rows:\n" + trip);
        trip.IndexOf("UPDATE \"inbox_state\"", StringComparison.Ordinal).ShouldBeInRange(0, update, "after its inbox row:\n" + trip);
        trip.LastIndexOf("COMMIT", StringComparison.Ordinal).ShouldBeGreaterThan(update, "before the COMMIT that ends the batch:\n" + trip);
    }

    [Fact]
    public async Task A_handed_write_the_database_refuses_leaves_nothing_of_the_pass()
    {
        var counter = await NewCounterAsync(value: 0);
        var entry = Guid.NewGuid();
        await using var host = await StartHostAsync();

        await SendAsync(host, new AdjustCounter(entry, counter, -1));
        await Eventually.True(async () => (await environment.Management.GetQueueAsync(environment.VirtualHost, Queue + "_error"))?.Messages >= 1,
            "the message reaches the error queue");
        var marker = Guid.NewGuid();
        await SendAsync(host, new AdjustCounter(marker, counter, 1));
        await Eventually.True(async () => host.Deliveries.Of<EntryRecorded>(e => e.EntryId == marker).Count == 1, "the marker's event arrives");

        host.Deliveries.Attempts(entry).ShouldBe(3, "one attempt and two retries, each refused at its commit");
        (await ValueAsync(counter)).ShouldBe(1, "only the marker's +1");
        (await host.QueryAsync(db => db.Ledger.CountAsync(l => l.EntryId == entry))).ShouldBe(0, "the consumer's saved row went with the pass");
        host.Deliveries.Of<EntryRecorded>(e => e.EntryId == entry).ShouldBeEmpty();
        await Eventually.True(async () => await host.QueryAsync(db => db.Set<OutboxMessage>().CountAsync()) == 0, "no outbox row is left");
    }

    private Task<MessagingTestHost> StartHostAsync() =>
        MessagingTestHost.StartAsync(environment, _db, bus =>
        {
            bus.AddConsumer<AdjustCounterConsumer>();
            bus.AddConsumer<EntryRecordedConsumer>();
            // Retry wraps the outbox (registered before it): each attempt is a fresh transaction.
            bus.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.UseMessageRetry(r => r.Immediate(2)));
        });

    private static async Task SendAsync(MessagingTestHost host, AdjustCounter message)
    {
        var endpoint = await host.Bus.GetSendEndpoint(host.QueueAddress(Queue));
        await endpoint.Send(message);
    }

    private async Task<string> NewCounterAsync(int value)
    {
        var name = "c-" + Guid.NewGuid().ToString("N")[..8];
        await using var command = _data.CreateCommand("INSERT INTO counters VALUES ($1, $2)");
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync();
        return name;
    }

    private async Task<int> ValueAsync(string counter)
    {
        await using var command = _data.CreateCommand("SELECT value FROM counters WHERE name = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = counter });
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
