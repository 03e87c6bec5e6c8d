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
/// the observer saw each event once.
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

    private async Task Send<T>(T message)
        where T : class
    {
        var endpoint = await environment.Observer.Bus.GetSendEndpoint(new Uri("queue:countdown-state"));
        await endpoint.Send(message);
    }

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
