using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrderSystem.Messaging.Configuration;

namespace OrderSystem.Messaging.FailureHandling;

/// <summary>
/// The failure policy every endpoint of the system uses, declared in each consumer's or saga's definition with one call:
/// <code>
/// protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator&lt;X&gt; consumer, IRegistrationContext context)
///     =&gt; endpoint.UseFailurePolicy&lt;MyDbContext&gt;(context);
/// </code>
/// Outermost first, on the <i>endpoint</i> (so that every attempt is a fresh consumer-outbox transaction):
/// <list type="number">
/// <item>delayed redelivery through the durable database scheduler (<see cref="FailureHandlingOptions.EffectiveRedeliveryIntervals"/>),
/// for transient failures only: an outage that outlasts the immediate retries. (When the bus has no EF outbox for
/// <c>TDbContext</c>, e.g. in a test harness, MassTransit's <c>UseScheduledRedelivery</c> with the bus's own scheduler.)</item>
/// <item>immediate retries with exponential back-off, for transient failures and concurrency conflicts;</item>
/// <item>anything else (permanent) is not retried: MassTransit publishes <c>Fault&lt;T&gt;</c> and moves the message to
/// <c>&lt;queue&gt;_error</c> with its <c>MT-Fault-*</c> headers after the first attempt.</item>
/// </list>
/// Bounded: a message is tried at most (1 + retries) × (1 + redeliveries) times before it is dead-lettered.
/// </summary>
public static class FailurePolicyExtensions
{
    public static void UseFailurePolicy<TDbContext>(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context,
        Action<FailurePolicy>? configure = null)
        where TDbContext : DbContext
    {
        var options = context.GetService<IOptions<FailureHandlingOptions>>()?.Value ?? new FailureHandlingOptions();
        options.Validate();
        var policy = new FailurePolicy();
        configure?.Invoke(policy);

        var redelivery = options.EffectiveRedeliveryIntervals;
        if (redelivery.Count > 0)
        {
            void Configure(IRetryConfigurator r)
            {
                r.Handle<Exception>(policy.IsTransient);
                r.Intervals(redelivery.ToArray());
            }

            var outbox = context.GetService<EntityFrameworkOutboxOptionsFor<TDbContext>>()?.Value;
            if (outbox is not null)
            {
                EnsureDuplicateWindowCovers(outbox, options, redelivery, typeof(TDbContext).Name);
                endpoint.UseDatabaseScheduledRedelivery<TDbContext>(context, Configure);
            }
            else
            {
                // No EF outbox for this DbContext on the bus (e.g. a MassTransit test harness with an in-memory saga
                // repository): redeliver through whatever message scheduler the bus has.
                endpoint.UseScheduledRedelivery(Configure);
            }
        }

        if (options.ImmediateRetryLimit > 0)
        {
            endpoint.UseMessageRetry(r =>
            {
                r.Handle<Exception>(policy.IsRetryable);
                r.Exponential(options.ImmediateRetryLimit, options.ImmediateRetryMinInterval, options.ImmediateRetryMaxInterval,
                    options.ImmediateRetryIntervalDelta);
            });
        }
    }

    /// <summary>
    /// The inbox forgets a message after its duplicate-detection window; a copy redelivered later would run again. The
    /// whole schedule (every redelivery interval, and every round of immediate retries) must fit inside the window.
    /// </summary>
    private static void EnsureDuplicateWindowCovers(EntityFrameworkOutboxOptions outbox, FailureHandlingOptions options, IReadOnlyList<TimeSpan> redelivery,
        string dbContext)
    {
        var schedule = redelivery.Aggregate(TimeSpan.Zero, (sum, i) => sum + i) + options.ImmediateRetryWindow * (redelivery.Count + 1);
        var minimum = schedule + outbox.QueryDelay + TimeSpan.FromMinutes(1);
        if (outbox.DuplicateDetectionWindow < minimum)
        {
            throw new ArgumentException(
                $"DuplicateDetectionWindow ({outbox.DuplicateDetectionWindow}) of {dbContext} must outlast the failure policy's " +
                $"retry and redelivery schedule ({schedule}) plus a poll interval and a minute: at least {minimum}.");
        }
    }
}
