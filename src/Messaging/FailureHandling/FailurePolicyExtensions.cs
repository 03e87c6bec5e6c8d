using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrderSystem.Messaging.Configuration;

namespace OrderSystem.Messaging.FailureHandling;

/// <summary>
/// The failure policy every endpoint of the system uses, and the only way to configure retry and redelivery, declared in
/// each consumer's or saga's definition: <c>endpoint.UseFailurePolicy&lt;MyDbContext&gt;(context)</c>. On the
/// <i>endpoint</i>, outermost first, so that every attempt is a fresh consumer-outbox transaction:
/// <list type="number">
/// <item>delayed redelivery through the durable database scheduler, for transient failures only;</item>
/// <item>immediate retries with exponential back-off, for transient failures and concurrency conflicts;</item>
/// <item>anything else is not retried: it faults to <c>&lt;queue&gt;_error</c> after the first attempt.</item>
/// </list>
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
            var outbox = context.GetService<EntityFrameworkOutboxOptionsFor<TDbContext>>()?.Value;
            if (outbox is not null)
            {
                outbox.EnsureDuplicateDetectionWindowCovers(options.RetrySchedule,
                    $"the failure policy's retry and redelivery schedule on {typeof(TDbContext).Name}");
                endpoint.UseRedeliveryScheduler<TDbContext>(context);
            }

            // Without an EF outbox for this DbContext (e.g. a MassTransit test harness with an in-memory saga
            // repository), redelivery goes through whatever message scheduler the bus has.
            endpoint.UseScheduledRedelivery(r =>
            {
                r.Handle<Exception>(policy.IsTransient);
                r.Intervals(redelivery.ToArray());
            });
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
    /// Gives every received message a scheduler backed by the database (<see cref="RedeliverySchedulerFilter{TDbContext}"/>),
    /// so that scheduled redelivery, which runs outside the consumer outbox, writes to the durable scheduler.
    /// </summary>
    internal static void UseRedeliveryScheduler<TDbContext>(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
        where TDbContext : DbContext =>
        endpoint.ConfigureReceive(receive => receive.UseFilter(new RedeliverySchedulerFilter<TDbContext>(context)));
}
