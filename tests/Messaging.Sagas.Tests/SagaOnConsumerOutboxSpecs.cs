using MassTransit;
using OrderSystem.Messaging.Sagas.Tests.Counter;
using OrderSystem.Testing.Database;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Sagas.Tests;

/// <summary>
/// The repository behind the real consumer outbox + inbox of src/Messaging (<c>AddMessageBus&lt;TDbContext&gt;</c>): the
/// outbox opens the transaction on the scoped DbContext, the repository writes in it, the outbox commits or rolls back.
/// </summary>
public abstract class SagaOnConsumerOutboxSpecs(IsolatedEnvironment environment, ConcurrencyMode mode) : IAsyncLifetime
{
    private SagaTestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await SagaTestHost.StartAsync(environment, mode, consumerOutbox: true);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    protected SagaTestHost TestHost => _host;

    protected IsolatedEnvironment Environment => environment;

    [Fact]
    public async Task Should_store_and_advance_the_saga_inside_the_outbox_transaction_without_losing_updates()
    {
        const int events = 50;
        var id = Guid.NewGuid();
        await _host.Bus.Publish(new CounterStarted(id, "outboxed-" + id));
        await Eventually.True(async () => (await _host.ReadAsync(id))?.CurrentState == "Active", "the counter to be created");

        await Task.WhenAll(Enumerable.Range(0, events).Select(_ => _host.Bus.Publish(new CounterIncremented(id))));

        var final = await Eventually.Get(() => _host.ReadAsync(id), s => s?.Count >= events, $"{events} increments", TimeSpan.FromSeconds(90));
        final!.Count.ShouldBe(events);
        if (mode == ConcurrencyMode.Pessimistic) Attempts.RetriesOf(id).ShouldBe(0);
    }

    [Fact]
    public async Task Should_leave_no_row_when_the_saga_fails_after_its_insert()
    {
        var id = Guid.NewGuid();

        // InsertOnInitial: the repository inserts the row, then the state machine throws. The outbox's transaction is
        // rolled back; had the repository committed on its own, the row would remain.
        await _host.Bus.Publish(new CounterOpened(id, CounterStateMachine.FailingName));

        await Eventually.True(
            async () => (await environment.Management.GetQueueAsync(environment.VirtualHost, "counter-state_error"))?.Messages >= 1,
            "the failed message to reach the error queue", TimeSpan.FromSeconds(60));
        (await _host.CountAsync(id)).ShouldBe(0);
    }
}

public class PessimisticSagaOnConsumerOutboxSpecs(IsolatedEnvironment environment)
    : SagaOnConsumerOutboxSpecs(environment, ConcurrencyMode.Pessimistic), IClassFixture<IsolatedEnvironment>
{
    /// <summary>
    /// With row locks the repository writes the instance in the consuming pass's last batch, with the outbox rows and the
    /// COMMIT, not in a SaveChanges round trip of its own (docs/sagas.md): the insert of a new instance and the update of
    /// a loaded one each travel with a COMMIT, and no round trip carries either without one.
    /// </summary>
    [Fact]
    public async Task Should_write_the_instance_in_the_batch_that_commits_the_pass()
    {
        var id = Guid.NewGuid();
        using var recorder = RecordRoundTrips();
        await StartCounterAsync(id, "batched-" + id);
        await TestHost.Bus.Publish(new CounterIncremented(id));
        var counter = await Eventually.Get(() => TestHost.ReadAsync(id), s => s?.Count == 1, "the increment");
        counter!.Starts.ShouldBe(1);

        var writes = recorder.Trips.Where(sql => Writes(sql, "INSERT INTO") || Writes(sql, "UPDATE")).ToList();
        writes.ShouldContain(sql => Writes(sql, "INSERT INTO"), "the instance's insert");
        writes.ShouldContain(sql => Writes(sql, "UPDATE"), "the instance's update");
        writes.ShouldAllBe(sql => sql.Contains("COMMIT", StringComparison.Ordinal), string.Join("\n---\n", writes));
    }

    /// <summary>
    /// A first event finds no instance, takes the creation lock and looks again (docs/sagas.md, "Pessimistic"): the lock
    /// and the second look go to PostgreSQL in one round trip, never the lock alone.
    /// </summary>
    [Fact]
    public async Task Should_take_the_creation_lock_and_look_again_in_one_round_trip()
    {
        var id = Guid.NewGuid();
        using var recorder = RecordRoundTrips();
        await StartCounterAsync(id, "locked-" + id);

        var locks = recorder.Trips.Where(sql => sql.Contains("pg_advisory_xact_lock", StringComparison.Ordinal)).ToList();
        locks.ShouldNotBeEmpty();
        locks.ShouldAllBe(sql => sql.Contains("counter_state", StringComparison.Ordinal), string.Join("\n---\n", locks));
    }

    /// <summary>
    /// A saga's first delivery inserts its inbox row in the round trip that loads the instance (docs/sagas.md): the
    /// state machine runs after both, and the insert never travels alone.
    /// </summary>
    [Fact]
    public async Task Should_insert_the_inbox_row_in_the_round_trip_that_loads_the_instance()
    {
        var id = Guid.NewGuid();
        using var recorder = RecordRoundTrips();
        await StartCounterAsync(id, "carried-" + id);
        await TestHost.Bus.Publish(new CounterIncremented(id));
        await Eventually.Get(() => TestHost.ReadAsync(id), s => s?.Count == 1, "the increment");

        var inserts = recorder.Trips.Where(sql => sql.Contains("INSERT INTO \"inbox_state\"", StringComparison.Ordinal)).ToList();
        inserts.Count.ShouldBeGreaterThanOrEqualTo(2, "one inbox insert per message");
        inserts.ShouldAllBe(sql => sql.Contains("counter_state", StringComparison.Ordinal) && sql.Contains("FOR UPDATE", StringComparison.Ordinal),
            string.Join("\n---\n", inserts));
    }

    /// <summary>
    /// A second copy of a message the saga consumed (same message id) finds the inbox row in that same round trip. It
    /// does not run the state machine again, is not a fault (no error queue, no skipped queue), and counts as the row's
    /// second delivery.
    /// </summary>
    [Fact]
    public async Task Should_consume_a_duplicate_once_when_its_inbox_insert_rides_with_the_load()
    {
        var id = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        var faults = new ConsumeFaultLog();
        using var observing = TestHost.Bus.ConnectReceiveObserver(faults);
        await StartCounterAsync(id, "duplicate-" + id);

        await TestHost.Bus.Publish(new CounterIncremented(id), c => c.MessageId = messageId);
        await Eventually.Get(() => TestHost.ReadAsync(id), s => s?.Count == 1, "the first copy");
        await TestHost.Bus.Publish(new CounterIncremented(id), c => c.MessageId = messageId);

        await Eventually.True(async () => await ReceiveCountAsync(messageId) == 2, "the second copy to reach the inbox row");
        await Eventually.True(async () => await QueueAsync("counter-state") is { Messages: 0, MessagesUnacknowledged: 0 },
            "the second copy to be acknowledged");
        (await TestHost.ReadAsync(id))!.Count.ShouldBe(1);
        faults.MessageIds.ShouldNotContain(messageId);
        (await DeadLettersAsync("counter-state_error")).ShouldNotContain(body => body.Contains(messageId.ToString(), StringComparison.Ordinal));
        (await DeadLettersAsync("counter-state_skipped")).ShouldNotContain(body => body.Contains(messageId.ToString(), StringComparison.Ordinal));
    }

    /// <summary>The bodies in a queue the class's other tests may also fill (the environment is the class's).</summary>
    private async Task<IReadOnlyList<string>> DeadLettersAsync(string queue) =>
        await QueueAsync(queue) is null ? [] : await Environment.Management.PeekAsync(Environment.VirtualHost, queue, 100);

    private Task<OrderSystem.SystemProcesses.Broker.RabbitMqManagement.QueueInfo?> QueueAsync(string queue) =>
        Environment.Management.GetQueueAsync(Environment.VirtualHost, queue);

    private async Task<int?> ReceiveCountAsync(Guid messageId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(TestHost.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT receive_count FROM inbox_state WHERE message_id = $1", connection)
        {
            Parameters = { new Npgsql.NpgsqlParameter { Value = messageId } },
        };
        return (int?)await command.ExecuteScalarAsync();
    }

    private RoundTripRecorder RecordRoundTrips() =>
        new(new Npgsql.NpgsqlConnectionStringBuilder(TestHost.ConnectionString).Database!);

    private async Task StartCounterAsync(Guid id, string name)
    {
        await TestHost.Bus.Publish(new CounterStarted(id, name));
        await Eventually.True(async () => (await TestHost.ReadAsync(id))?.CurrentState == "Active", "the counter to be created");
    }

    private static bool Writes(string sql, string verb) =>
        sql.Contains(verb + " counter_state ", StringComparison.Ordinal) || sql.Contains(verb + " \"counter_state\"", StringComparison.Ordinal);
}

/// <summary>Optimistic conflicts inside the outbox: the message retry (outside the outbox) runs the message again in a
/// fresh outbox transaction.</summary>
public class OptimisticSagaOnConsumerOutboxSpecs(IsolatedEnvironment environment)
    : SagaOnConsumerOutboxSpecs(environment, ConcurrencyMode.Optimistic), IClassFixture<IsolatedEnvironment>;
