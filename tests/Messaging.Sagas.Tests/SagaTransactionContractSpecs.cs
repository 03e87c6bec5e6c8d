using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Messaging.Sagas.Tests.Counter;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Sagas.Tests;

/// <summary>
/// The contract with the consumer outbox: when a transaction is already open on the scoped DbContext, the repository
/// writes inside it and neither commits nor rolls back; its owner decides. (<see cref="OuterTransactionFilter{T}"/>
/// plays the outbox. Without it, see <see cref="SagaRepositorySpecs"/>: the repository commits its own transaction.)
/// </summary>
public class SagaTransactionContractSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private SagaTestHost _host = null!;

    private OuterTransactionProbe Probe => _host.Services.GetRequiredService<OuterTransactionProbe>();

    public async Task InitializeAsync() => _host = await SagaTestHost.StartAsync(environment, ConcurrencyMode.Pessimistic, outerTransaction: true);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Should_write_inside_the_open_transaction_and_leave_the_commit_to_its_owner()
    {
        var id = Guid.NewGuid();
        var outcome = await PublishAsync(new CounterStarted(id, "outer-" + id));

        outcome.Error.ShouldBeNull();
        outcome.SagaSucceeded.ShouldBeTrue();
        outcome.SameTransactionAfterSaga.ShouldBeTrue("the repository must not replace or end the outer transaction");
        outcome.CommittedBeforeOuterCommit.ShouldBeFalse("the repository must not commit on its own");
        (await _host.ReadAsync(id))!.CurrentState.ShouldBe("Active");
    }

    [Fact]
    public async Task Should_leave_no_trace_when_the_outer_transaction_rolls_back()
    {
        var id = Guid.NewGuid();
        var outcome = await PublishAsync(new CounterStarted(id, "rolled-back-" + id), rollback: true);

        outcome.SagaSucceeded.ShouldBeTrue();
        outcome.CommittedBeforeOuterCommit.ShouldBeFalse();
        (await _host.CountAsync(id)).ShouldBe(0);
    }

    [Fact]
    public async Task Should_keep_the_outer_transaction_usable_when_an_insert_meets_an_existing_instance()
    {
        var id = Guid.NewGuid();
        (await PublishAsync(new CounterOpened(id, "opened-" + id))).SagaSucceeded.ShouldBeTrue();

        // InsertOnInitial: the second insert fails on the primary key inside the outer transaction. The repository must
        // confine that failure (savepoint), load the existing instance and carry on in the same transaction.
        var second = await PublishAsync(new CounterOpened(id, "opened-" + id));

        second.Error.ShouldBeNull();
        second.SagaSucceeded.ShouldBeTrue();
        second.SameTransactionAfterSaga.ShouldBeTrue();
        var state = await _host.ReadAsync(id);
        state!.Starts.ShouldBe(2);
        (await _host.CountAsync(id)).ShouldBe(1);
    }

    private async Task<OuterTransactionOutcome> PublishAsync<T>(T message, bool rollback = false)
        where T : class
    {
        var messageId = NewId.NextGuid();
        await _host.Bus.Publish(message, context =>
        {
            context.MessageId = messageId;
            if (rollback) context.Headers.Set(OuterTransactionFilter<T>.Header, "rollback");
        });
        return await Probe.OutcomeOf(messageId).WaitAsync(Timeout);
    }
}
