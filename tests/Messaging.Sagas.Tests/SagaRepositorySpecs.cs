using MassTransit;
using MassTransit.Saga;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Messaging.Sagas.Tests.Counter;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;
using Xunit.Abstractions;

namespace OrderSystem.Messaging.Sagas.Tests;

/// <summary>
/// The repository's promises, run once per concurrency mode (the derived classes): instances are created and advanced
/// by real messages through RabbitMQ and read back from PostgreSQL; contention on one instance loses no update; racing
/// first events create exactly one instance; events correlated by a query find their instance.
/// </summary>
public abstract class SagaRepositorySpecs(IsolatedEnvironment environment, ConcurrencyMode mode, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan ContentionTimeout = TimeSpan.FromSeconds(90);
    private SagaTestHost _host = null!;

    public async Task InitializeAsync() => _host = await SagaTestHost.StartAsync(environment, mode);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Should_create_the_instance_and_persist_every_later_event()
    {
        var id = Guid.NewGuid();

        await _host.Bus.Publish(new CounterStarted(id, "created-" + id));
        // ReadAsync uses its own connection: seeing the row proves the repository committed its own transaction.
        var created = await Eventually.Get(() => _host.ReadAsync(id), s => s?.CurrentState == "Active", "the counter to be created");
        created!.Name.ShouldBe("created-" + id);
        created.Starts.ShouldBe(1);
        created.Count.ShouldBe(0);
        created.RowVersion.ShouldNotBe(0u);

        await _host.Bus.Publish(new CounterIncremented(id));
        var incremented = await Eventually.Get(() => _host.ReadAsync(id), s => s?.Count == 1, "the increment to be stored");
        incremented!.RowVersion.ShouldNotBe(created.RowVersion);

        await _host.Bus.Publish(new CounterClosed(id));
        var closed = await Eventually.Get(() => _host.ReadAsync(id), s => s?.CurrentState == "Done", "the counter to be closed");
        closed!.Count.ShouldBe(1);
        closed.Starts.ShouldBe(1);

        // The load repository (ILoadSagaRepositoryContextFactory) sees the same stored state.
        var loaded = await _host.Services.GetRequiredService<ILoadSagaRepository<CounterState>>().Load(id);
        loaded.ShouldNotBeNull();
        loaded.CurrentState.ShouldBe("Done");
        loaded.Count.ShouldBe(1);
        (await _host.Services.GetRequiredService<ILoadSagaRepository<CounterState>>().Load(Guid.NewGuid())).ShouldBeNull();
    }

    [Fact]
    public async Task Should_lose_no_update_when_many_events_for_one_instance_arrive_at_once()
    {
        const int events = 100;
        var id = Guid.NewGuid();
        await _host.Bus.Publish(new CounterStarted(id, "contended-" + id));
        await Eventually.True(async () => (await _host.ReadAsync(id))?.CurrentState == "Active", "the counter to be created");

        await Task.WhenAll(Enumerable.Range(0, events).Select(_ => _host.Bus.Publish(new CounterIncremented(id))));

        var final = await Eventually.Get(() => _host.ReadAsync(id), s => s?.Count >= events, $"{events} increments to be stored", ContentionTimeout);
        final!.Count.ShouldBe(events);
        output.WriteLine($"{mode}: {events} concurrent increments, {Attempts.RetriesOf(id)} retried executions");
        AssertRetries(id);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Should_create_exactly_one_instance_when_first_events_race(bool insertOnInitial)
    {
        const int events = 50;
        var id = Guid.NewGuid();

        CreationGate.Close(id);
        await Task.WhenAll(Enumerable.Range(0, events).Select(_ => insertOnInitial
            ? _host.Bus.Publish(new CounterOpened(id, "raced-" + id))
            : _host.Bus.Publish(new CounterStarted(id, "raced-" + id))));
        // Open the gate only once the creations provably overlap: a second creator held at the gate beside the first
        // (both found no instance), or one blocked in the database behind the first one's uncommitted row.
        await Eventually.True(async () => CreationGate.Overlapped(id) || (CreationGate.Arrivals(id) >= 1 && await _host.LockWaitersAsync() >= 1),
            "a second creator to overlap the first one held at the gate");
        CreationGate.Open(id);

        var final = await Eventually.Get(() => _host.ReadAsync(id), s => s?.Starts >= events, $"{events} starts to be counted", ContentionTimeout);
        final!.Starts.ShouldBe(events);
        (await _host.CountAsync(id)).ShouldBe(1);
        output.WriteLine($"{mode}, insertOnInitial={insertOnInitial}: {events} racing first events, {Attempts.RetriesOf(id)} retried executions");
        AssertRetries(id);
    }

    [Fact]
    public async Task Should_route_events_correlated_by_a_query_to_their_instance()
    {
        const int events = 10;
        var id = Guid.NewGuid();
        var name = "queried-" + id;
        var other = Guid.NewGuid();
        await _host.Bus.Publish(new CounterStarted(id, name));
        await _host.Bus.Publish(new CounterStarted(other, "other-" + other));
        await Eventually.True(async () => (await _host.ReadAsync(id))?.CurrentState == "Active", "the counter to be created");
        await Eventually.True(async () => (await _host.ReadAsync(other))?.CurrentState == "Active", "the other counter to be created");

        await Task.WhenAll(Enumerable.Range(0, events).Select(_ => _host.Bus.Publish(new NamedCounterIncremented(name))));

        var final = await Eventually.Get(() => _host.ReadAsync(id), s => s?.Count >= events, $"{events} increments by name", ContentionTimeout);
        final!.Count.ShouldBe(events);
        (await _host.ReadAsync(other))!.Count.ShouldBe(0);

        // The query repository (IQuerySagaRepositoryContextFactory) finds the instance by the same expression.
        var found = await _host.Services.GetRequiredService<IQuerySagaRepository<CounterState>>()
            .Find(new SagaQuery<CounterState>(x => x.Name == name));
        found.ShouldBe([id]);
    }

    /// <summary>Pessimistic mode must not need the message retry; optimistic mode is allowed to.</summary>
    private void AssertRetries(Guid id)
    {
        if (mode == ConcurrencyMode.Pessimistic) Attempts.RetriesOf(id).ShouldBe(0, "pessimistic locking should serialise without retries");
    }
}

public class PessimisticSagaRepositorySpecs(IsolatedEnvironment environment, ITestOutputHelper output)
    : SagaRepositorySpecs(environment, ConcurrencyMode.Pessimistic, output), IClassFixture<IsolatedEnvironment>;

public class OptimisticSagaRepositorySpecs(IsolatedEnvironment environment, ITestOutputHelper output)
    : SagaRepositorySpecs(environment, ConcurrencyMode.Optimistic, output), IClassFixture<IsolatedEnvironment>;
