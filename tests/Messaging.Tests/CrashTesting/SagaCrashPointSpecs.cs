using MassTransit;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Storage;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.CrashTesting;

/// <summary>
/// A saga with a durable timeout killed at the saga's and the scheduler's step boundaries (the crash client's countdown:
/// start → state, timeout row and CountdownStarted in one transaction; timeout due → the delivery service sends it →
/// the saga finishes and publishes CountdownElapsed). After a restart the saga has started once and finished once, and
/// the observer saw each event once. The lease saga (open → a row; close → LeaseClosed and the row deleted) is killed
/// around the deletion of a finalised instance: after a restart the row is gone, LeaseClosed went out once, and the close
/// ran once (a second run would find no instance and fault into <c>lease-state_error</c>).
/// </summary>
public sealed class SagaCrashPointSpecs(CrashPointEnvironment environment) : IClassFixture<CrashPointEnvironment>
{
    private const string AnyState = "*";
    private const string NoRow = "";
    private const int AnyCount = -1;

    [Theory]
    [InlineData(CrashPoints.SagaInserted, NoRow, 0)]
    [InlineData(CrashPoints.Scheduled, NoRow, 0)]
    [InlineData(CrashPoints.ConsumedCommitted, "Running", 1)]
    [InlineData(CrashPoints.ScheduledMessageSent, AnyState, 1)] // the saga may have handled the timeout before the kill
    [InlineData(CrashPoints.ScheduledRowsDeleted, AnyState, 1)]
    [InlineData(CrashPoints.ScheduledCommitted, AnyState, 0)]
    [InlineData(CrashPoints.SagaUpdated, "Running", AnyCount)] // the timeout's consumer can overtake its delivery's commit
    public async Task A_saga_killed_at_a_step_boundary_starts_once_and_times_out_once_after_a_restart(string crashAt, string stateLeft, int timeoutRowsLeft)
    {
        var id = Guid.NewGuid();
        await environment.CrashAsync(crashAt, () => Send(new StartCountdown(id, TimeSpan.Zero)));

        var left = await environment.CountdownAsync(id);
        if (stateLeft == NoRow) left.ShouldBeNull("the saga's insert rolled back with the process");
        else if (stateLeft != AnyState) left.ShouldNotBeNull().State.ShouldBe(stateLeft);
        if (timeoutRowsLeft != AnyCount) (await TimeoutRows()).ShouldBe(timeoutRowsLeft, "scheduled rows the crash left");

        await using (await environment.RestartAsync())
        {
            await Eventually.True(async () => (await environment.CountdownAsync(id))?.State == "Finished", "the countdown finishes", TimeSpan.FromSeconds(60));
            await Eventually.True(async () => Observed<CountdownElapsed>(id) >= 1 && Observed<CountdownStarted>(id) >= 1, "both events reach the observer");
            // A timeout the crash left unsent (or sent but not deleted) goes out again; the saga may be finished already.
            await Eventually.True(async () => await TimeoutRows() == 0 && await Undelivered() == 0,
                "no timeout left to send, every message the service received complete");
        }

        var final = (await environment.CountdownAsync(id)).ShouldNotBeNull();
        final.Starts.ShouldBe(1, "the start ran once");
        final.Elapsed.ShouldBe(1, "the timeout fired once");
        Observed<CountdownStarted>(id).ShouldBe(1);
        Observed<CountdownElapsed>(id).ShouldBe(1);
    }

    [Theory]
    [InlineData(CrashPoints.Unscheduled)]
    public async Task A_saga_killed_after_it_unscheduled_its_timeout_cancels_once_after_a_restart(string crashAt)
    {
        var id = Guid.NewGuid();
        await environment.CrashAsync(crashAt, async () =>
        {
            await Send(new StartCountdown(id, TimeSpan.FromHours(1)));
            await Eventually.True(async () => (await environment.CountdownAsync(id))?.State == "Running", "the countdown runs");
            await Send(new CancelCountdown(id));
        });

        (await environment.CountdownAsync(id)).ShouldNotBeNull().State.ShouldBe("Running", "the cancel rolled back with the process");
        (await TimeoutRows()).ShouldBe(1, "the timeout is still scheduled");

        await using (await environment.RestartAsync())
        {
            await Eventually.True(async () => (await environment.CountdownAsync(id))?.State == "Stopped", "the cancel is redelivered", TimeSpan.FromSeconds(60));
            await Eventually.True(async () => await Undelivered() == 0, "every message the service received is complete");
        }

        (await TimeoutRows()).ShouldBe(0, "the timeout can never arrive");
        (await environment.CountdownAsync(id))!.Starts.ShouldBe(1);
        Observed<CountdownStarted>(id).ShouldBe(1);
    }

    [Theory]
    [InlineData(CrashPoints.SagaDeleted, true)] // the close's pass rolled back: the lease is still open
    [InlineData(CrashPoints.ConsumedCommitted + "@2", false)] // (#1 is the open's pass) the row's deletion committed, LeaseClosed stored, not sent
    public async Task A_saga_killed_while_its_finalised_instance_is_deleted_closes_once_after_a_restart(string crashAt, bool openLeft)
    {
        var id = Guid.NewGuid();
        await environment.CrashAsync(crashAt, async () =>
        {
            await Send(new OpenLease(id), "lease-state");
            await Eventually.True(async () => (await environment.LeaseAsync(id))?.State == "Open", "the lease opens");
            await Send(new CloseLease(id), "lease-state");
        });

        var left = await environment.LeaseAsync(id);
        if (openLeft) left.ShouldNotBeNull("the deletion rolled back with the process").State.ShouldBe("Open");
        else left.ShouldBeNull("the deletion committed with the close's pass");
        (await StoredLeaseClosed()).ShouldBe(openLeft ? 0 : 1, "LeaseClosed is stored with the deletion, or not at all");
        ObservedClosed(id).ShouldBe(0, "nothing reached the broker before the kill");

        await using (await environment.RestartAsync())
        {
            await Eventually.True(async () => ObservedClosed(id) >= 1, "LeaseClosed reaches the observer", TimeSpan.FromSeconds(60));
            await Eventually.True(async () => await Undelivered() == 0 && await StoredLeaseClosed() == 0,
                "the redelivered close completes, nothing left to send");
            var management = environment.Isolated.Management;
            var vhost = environment.Isolated.VirtualHost;
            await Eventually.True(async () => (await management.GetQueueAsync(vhost, "lease-state"))?.Messages == 0,
                "the redelivered close is acknowledged", TimeSpan.FromSeconds(60));
            ((await management.GetQueueAsync(vhost, "lease-state_error"))?.Messages ?? 0).ShouldBe(0, "the close did not run against a deleted instance");
            ((await management.GetQueueAsync(vhost, "lease-state_skipped"))?.Messages ?? 0).ShouldBe(0, "the redelivery is not skipped");
        }

        (await environment.LeaseAsync(id)).ShouldBeNull("the finalised instance is gone");
        ObservedClosed(id).ShouldBe(1, "the observer saw LeaseClosed once");
        var sent = environment.Observer.Deliveries.Where<LeaseClosed>(e => e.LeaseId == id).Select(d => d.MessageId).ToHashSet();
        environment.Observer.Raw.MessageIds(LeaseObserver.Queue).Count(sent.Contains).ShouldBe(1, "broker deliveries of LeaseClosed");
    }

    private async Task Send<T>(T message, string queue = "countdown-state")
        where T : class
    {
        var endpoint = await environment.Observer.Bus.GetSendEndpoint(new Uri($"queue:{queue}"));
        await endpoint.Send(message);
    }

    private Task<int> StoredLeaseClosed() =>
        environment.QueryServiceAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.MessageType.Contains(nameof(LeaseClosed))));

    private int ObservedClosed(Guid id) => environment.Observer.Deliveries.Where<LeaseClosed>(e => e.LeaseId == id).Count;

    private Task<int> TimeoutRows() =>
        environment.QueryServiceAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.OutboxId == null && m.InboxMessageId == null));

    private Task<int> Undelivered() => environment.QueryServiceAsync(db => db.Set<InboxState>().CountAsync(i => i.Delivered == null));

    private int Observed<T>(Guid id)
        where T : class =>
        environment.Observer.Deliveries.All.Count(d => d.Message is T message && message switch
        {
            CountdownStarted s => s.CountdownId == id,
            CountdownElapsed e => e.CountdownId == id,
            _ => false,
        });
}
