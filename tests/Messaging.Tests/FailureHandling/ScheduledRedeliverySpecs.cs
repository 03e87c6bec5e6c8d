using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Messaging.Configuration;
using OrderSystem.Messaging.FailureHandling;
using OrderSystem.Messaging.Tests.ConsumerOutbox;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.FailureHandling;

/// <summary>
/// Delayed redelivery of <c>UseFailurePolicy</c> through the database scheduler: a failed attempt rolls back, the message
/// comes back after the interval (not before), and the attempt that succeeds has the only effect.
/// </summary>
public sealed class ScheduledRedeliverySpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("redelivery");
        await MigrationSchema.CreateAsync(_db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task FailsTwiceThenSucceedsOnce(MessagingTestHost host)
    {
        var entry = Guid.NewGuid();
        var endpoint = await host.Bus.GetSendEndpoint(host.QueueAddress("record-entry"));
        await endpoint.Send(new RecordEntry(entry, FailAttempts: 2));

        try
        {
            await Eventually.True(async () => host.Deliveries.Of<EntryRecorded>(e => e.EntryId == entry).Count == 1, "the third attempt's event arrives");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Attempts: {host.Deliveries.Attempts(entry)}. Logged: {string.Join(" | ", host.Logs.Warnings(""))}", e);
        }
        var marker = Guid.NewGuid();
        await endpoint.Send(new RecordEntry(marker));
        await Eventually.True(async () => host.Deliveries.Of<EntryRecorded>(e => e.EntryId == marker).Count == 1, "the marker's event arrives");

        var attempts = host.Deliveries.Where<RecordEntry>(r => r.EntryId == entry);
        attempts.Count.ShouldBe(3);
        (attempts[1].At - attempts[0].At).ShouldBeGreaterThanOrEqualTo(Interval, "redelivered before the interval");
        (attempts[2].At - attempts[1].At).ShouldBeGreaterThanOrEqualTo(Interval, "redelivered before the interval");
        (await host.QueryAsync(db => db.Ledger.CountAsync(l => l.EntryId == entry))).ShouldBe(1);
        host.Deliveries.Of<EntryRecorded>(e => e.EntryId == entry).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Redelivery_configured_with_the_failure_policy_goes_through_the_scheduler()
    {
        await using var host = await MessagingTestHost.StartAsync(environment, _db, bus =>
        {
            bus.Configure<FailureHandlingOptions>(o =>
            {
                o.ImmediateRetryLimit = 0;
                o.RedeliveryIntervals = [Interval, Interval];
            });
            bus.AddConsumer<RecordEntryConsumer>();
            bus.AddConsumer<EntryRecordedConsumer>();
            bus.AddConfigureEndpointsCallback((context, _, endpoint) =>
                endpoint.UseFailurePolicy<TestDbContext>(context, policy => policy.Transient<InvalidOperationException>()));
        });

        await FailsTwiceThenSucceedsOnce(host);
    }

    [Fact]
    public void A_duplicate_detection_window_shorter_than_the_redelivery_schedule_is_rejected()
    {
        var policy = new FailureHandlingOptions { RedeliveryIntervals = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)] };
        var options = new EntityFrameworkOutboxOptions { DuplicateDetectionWindow = TimeSpan.FromMinutes(2) };

        Should.Throw<ArgumentException>(() => options.EnsureDuplicateDetectionWindowCovers(policy.RetrySchedule, "the retry schedule"))
            .Message.ShouldContain("DuplicateDetectionWindow");

        options.DuplicateDetectionWindow = TimeSpan.FromMinutes(10);
        options.EnsureDuplicateDetectionWindowCovers(policy.RetrySchedule, "the retry schedule");
    }
}
