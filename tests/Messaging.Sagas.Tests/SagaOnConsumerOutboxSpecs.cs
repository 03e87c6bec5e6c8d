using MassTransit;
using OrderSystem.Messaging.Sagas.Tests.Counter;
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
    : SagaOnConsumerOutboxSpecs(environment, ConcurrencyMode.Pessimistic), IClassFixture<IsolatedEnvironment>;

/// <summary>Optimistic conflicts inside the outbox: the message retry (outside the outbox) runs the message again in a
/// fresh outbox transaction.</summary>
public class OptimisticSagaOnConsumerOutboxSpecs(IsolatedEnvironment environment)
    : SagaOnConsumerOutboxSpecs(environment, ConcurrencyMode.Optimistic), IClassFixture<IsolatedEnvironment>;
