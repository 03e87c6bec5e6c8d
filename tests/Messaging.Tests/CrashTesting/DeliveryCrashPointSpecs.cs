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
/// The bus outbox and its delivery service killed at each step boundary: the crash client commits one transaction
/// (a ledger entry and three Pings, as an HTTP handler would) and dies at the point. The test checks what the crash
/// left, restarts the service, and checks that every Ping reached the observer once and went to the broker as often as
/// the protocol allows (again only when the crash fell between the broker's confirm and the delete's commit).
/// One delivery transaction takes several bus-outbox transactions (up to <c>OutboxesPerTransaction</c>): in the second
/// theory three are committed, one Ping each, before the service starts, its first delivery transaction takes all
/// three, and the batch is one unit: what was sent but not committed as sent goes again, what was committed never does.
/// </summary>
public sealed class DeliveryCrashPointSpecs(CrashPointEnvironment environment) : IClassFixture<CrashPointEnvironment>
{
    [Theory]
    [InlineData(CrashPoints.BusOutboxCommitted, 3, new[] { 1, 1, 1 })]
    [InlineData(CrashPoints.DeliveryMessageSent + "@2", 3, new[] { 2, 2, 1 })]
    [InlineData(CrashPoints.DeliveryRowsDeleted, 3, new[] { 2, 2, 2 })]
    [InlineData(CrashPoints.DeliveryCommitted, 0, new[] { 1, 1, 1 })]
    public async Task A_producer_killed_at_a_step_boundary_delivers_every_committed_message_after_a_restart(string crashAt, int rowsLeft, int[] sends)
    {
        var run = Guid.NewGuid();
        await environment.CrashAsync(crashAt, () => Task.CompletedTask, "publish", run.ToString());

        (await Ledger(run)).ShouldBe(1, "the transaction committed before the point");
        (await BusOutboxRows()).ShouldBe(rowsLeft, "outbox rows the crash left");

        await using (await environment.RestartAsync())
        {
            await Eventually.True(async () => await BusOutboxRows() == 0 && await environment.QueryServiceAsync(db => db.Set<OutboxState>().CountAsync()) == 0,
                "the restart drains the outbox", TimeSpan.FromSeconds(60));
            await Eventually.True(async () => Pings(run).Select(p => ((Ping)p.Message).Sequence).Distinct().Count() == sends.Length, "every Ping arrives");
            await Eventually.True(async () => Sends(run).SequenceEqual(sends), $"the broker carried each Ping [{string.Join(", ", sends)}] times");
        }

        (await Ledger(run)).ShouldBe(1, "the producer's transaction is not repeated");
        Pings(run).Count.ShouldBe(sends.Length, "the observer saw each Ping once");
        Sends(run).ShouldBe(sends, "broker deliveries per Ping");
    }

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

    private Task<int> BusOutboxStates() => environment.QueryServiceAsync(db => db.Set<OutboxState>().CountAsync());

    private Task<int> Ledger(Guid run) => environment.QueryServiceAsync(db => db.Ledger.CountAsync(l => l.EntryId == run));

    private Task<int> BusOutboxRows() => environment.QueryServiceAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.OutboxId != null));

    private IReadOnlyList<Deliveries.Delivery> Pings(Guid run) => environment.Observer.Deliveries.Where<Ping>(p => p.RunId == run);

    /// <summary>Broker deliveries of each Ping of the run, in sequence order.</summary>
    private int[] Sends(Guid run)
    {
        var raw = environment.Observer.Raw.MessageIds("ping");
        return Pings(run).OrderBy(p => ((Ping)p.Message).Sequence).Select(p => raw.Count(id => id == p.MessageId)).ToArray();
    }
}
