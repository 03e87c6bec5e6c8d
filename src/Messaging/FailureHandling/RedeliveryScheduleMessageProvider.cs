using MassTransit;
using MassTransit.Middleware.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderSystem.Messaging.BusOutbox;
using OrderSystem.Messaging.Diagnostics;
using OrderSystem.Messaging.Scheduling;

namespace OrderSystem.Messaging.FailureHandling;

/// <summary>
/// Schedules in a unit of work of its own: a fresh scope and <typeparamref name="TDbContext"/>, saved at once. Used where
/// no transaction of the caller exists to join, i.e. delayed redelivery, which runs after the consumer's transaction
/// rolled back. A schedule that carries MassTransit's redelivery header is counted as a redelivery
/// (<see cref="FailureMetrics.RedeliveriesName"/>). When the database is unreachable (a transient failure), the write is
/// retried with back-off, holding the broker delivery meanwhile, until the message would have been due and for at least
/// <see cref="FailureHandlingOptions.RedeliveryWriteHold"/>; after that the failure propagates (for a redelivery: the
/// message faults to <c>&lt;queue&gt;_error</c>). A redelivery written late is due at once.
/// </summary>
internal sealed class RedeliveryScheduleMessageProvider<TDbContext>(IServiceProvider root, ISendEndpointProvider transportEndpoints)
    : IScheduleMessageProvider
    where TDbContext : DbContext
{
    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken)
        where T : class
    {
        var due = scheduledTime.Kind == DateTimeKind.Local ? scheduledTime.ToUniversalTime() : scheduledTime;
        var hold = root.GetService<IOptions<FailureHandlingOptions>>()?.Value.RedeliveryWriteHold ?? new FailureHandlingOptions().RedeliveryWriteHold;
        var heldAtLeastUntil = DateTime.UtcNow + hold;
        var holdUntil = due > heldAtLeastUntil ? due : heldAtLeastUntil;
        var backoff = TimeSpan.FromMilliseconds(100);
        var logged = false;
        while (true)
        {
            try
            {
                return await ScheduleOnceAsync(destinationAddress, scheduledTime, message, pipe, cancellationToken);
            }
            catch (Exception e) when (TransientExceptions.IsTransient(e) && DateTime.UtcNow + backoff < holdUntil && !cancellationToken.IsCancellationRequested)
            {
                // The scheduler's database is unreachable (often the very outage that made the consumer fail). Keep the
                // delivery unacknowledged on the broker and try again until the redelivery would have been due and the
                // hold has passed; only then give up (the message faults to the error queue).
                if (!logged)
                {
                    root.GetService<ILoggerFactory>()?.CreateLogger(typeof(RedeliveryScheduleMessageProvider<TDbContext>))
                        .LogWarning(e, "Cannot write the scheduled message to the database; retrying until {Until:O}", holdUntil);
                    logged = true;
                }

                await Task.Delay(backoff, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
    }

    private async Task<ScheduledMessage<T>> ScheduleOnceAsync<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken)
        where T : class
    {
        await using var scope = root.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var outbox = new BusOutboxContext<TDbContext>(db, scope.ServiceProvider);
        var provider = new DbContextScheduleMessageProvider(new OutboxSendEndpointProvider(outbox, transportEndpoints), db);
        var redelivery = false;
        var observed = Pipe.ExecuteAsync<SendContext<T>>(async context =>
        {
            if (pipe.IsNotEmpty()) await pipe.Send(context);
            redelivery = context.Headers.TryGetHeader(MessageHeaders.RedeliveryCount, out _);
        });
        var handle = await provider.ScheduleSend(destinationAddress, scheduledTime, message, observed, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        if (redelivery) FailureMetrics.RecordRedelivery(destinationAddress, typeof(T).Name);
        return handle;
    }

    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) => Cancel(tokenId, cancellationToken);

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) => Cancel(tokenId, cancellationToken);

    private async Task Cancel(Guid tokenId, CancellationToken cancellationToken)
    {
        await using var scope = root.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await new DbContextScheduleMessageProvider(NoEndpoints.Instance, db).CancelScheduledSend(tokenId, cancellationToken);
    }

    private sealed class NoEndpoints : ISendEndpointProvider
    {
        public static readonly NoEndpoints Instance = new();
        public ConnectHandle ConnectSendObserver(ISendObserver observer) => throw new NotSupportedException();
        public Task<ISendEndpoint> GetSendEndpoint(Uri address) => throw new NotSupportedException();
    }
}
