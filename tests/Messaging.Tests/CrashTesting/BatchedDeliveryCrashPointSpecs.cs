using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Storage;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.CrashTesting;

/// <summary>
/// One delivery transaction takes several bus-outbox transactions (up to <c>OutboxesPerTransaction</c>): three are
/// committed, one Ping each, before the service starts, and its first delivery transaction takes all three. Killed at
/// each step boundary of that transaction, the batch is one unit: what was sent but not committed as sent goes again,
/// what was committed never does, and every Ping arrives once at the observer.
/// </summary>
public sealed class BatchedDeliveryCrashPointSpecs(CrashPointEnvironment environment) : IClassFixture<CrashPointEnvironment>
{
    private const int Outboxes = 3;

    [Theory]
    [InlineData(CrashPoints.DeliveryMessageSent + "@2", 3, new[] { 2, 2, 1 })]
    [InlineData(CrashPoints.DeliveryRowsDeleted, 3, new[] { 2, 2, 2 })]
    [InlineData(CrashPoints.DeliveryCommitted, 0, new[] { 1, 1, 1 })]
    public async Task A_delivery_transaction_of_several_outboxes_killed_at_a_step_boundary_sends_each_again_only_if_not_committed_as_sent(
        string crashAt, int rowsLeft, int[] sends)
    {
        var run = Guid.NewGuid();
        await CommitOutboxesAsync(run);
        (await BusOutboxStates()).ShouldBe(Outboxes);

        await environment.CrashAsync(crashAt, () => Task.CompletedTask);
        (await BusOutboxRows()).ShouldBe(rowsLeft, "outbox rows the crash left: the batch commits as one");

        await using (await environment.RestartAsync())
        {
            await Eventually.True(async () => await BusOutboxRows() == 0 && await BusOutboxStates() == 0,
                "the restart drains the outbox", TimeSpan.FromSeconds(60));
            await Eventually.True(async () => Pings(run).Select(p => ((Ping)p.Message).Sequence).Distinct().Count() == Outboxes, "every Ping arrives");
            await Eventually.True(async () => Sends(run).SequenceEqual(sends), $"the broker carried each Ping [{string.Join(", ", sends)}] times");
        }

        Pings(run).Count.ShouldBe(Outboxes, "the observer saw each Ping once");
        Sends(run).ShouldBe(sends, "broker deliveries per Ping");
    }

    /// <summary>Three bus-outbox transactions of one Ping each, committed by a host that delivers nothing.</summary>
    private async Task CommitOutboxesAsync(Guid run)
    {
        await using var producer = await MessagingTestHost.StartAsync(environment.Isolated, environment.ServiceDatabase, _ => { },
            o => o.DeliveryServiceEnabled = false);
        for (var sequence = 0; sequence < Outboxes; sequence++)
        {
            var current = sequence;
            await producer.InScopeAsync(async (scope, db) =>
            {
                await scope.GetRequiredService<IPublishEndpoint>().Publish(new Ping(run, current));
                await db.SaveChangesAsync();
            });
        }
    }

    private Task<int> BusOutboxRows() => environment.QueryServiceAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.OutboxId != null));

    private Task<int> BusOutboxStates() => environment.QueryServiceAsync(db => db.Set<OutboxState>().CountAsync());

    private IReadOnlyList<Deliveries.Delivery> Pings(Guid run) => environment.Observer.Deliveries.Where<Ping>(p => p.RunId == run);

    /// <summary>Broker deliveries of each Ping of the run, in sequence order.</summary>
    private int[] Sends(Guid run)
    {
        var raw = environment.Observer.Raw.MessageIds("ping");
        return Pings(run).OrderBy(p => ((Ping)p.Message).Sequence).Select(p => raw.Count(id => id == p.MessageId)).ToArray();
    }
}
