using MassTransit;
using MassTransit.Configuration;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrderSystem.Messaging.BusOutbox;
using OrderSystem.Messaging.Delivery;
using OrderSystem.Messaging.Inbox;
using OrderSystem.Messaging.Outbox;
using OrderSystem.Messaging.Scheduling;

namespace OrderSystem.Messaging.Configuration;

/// <summary>
/// Registration of our EF Core outbox, shaped like MassTransit.EntityFrameworkCore's
/// (<c>AddEntityFrameworkOutbox&lt;T&gt;(o =&gt; o.UseBusOutbox())</c>, <c>UseEntityFrameworkOutbox&lt;T&gt;(context)</c>).
/// See docs/messaging.md for the correspondence table.
/// </summary>
public static class EntityFrameworkOutboxRegistration
{
    /// <summary>
    /// Registers, for <typeparamref name="TDbContext"/>: the consumer outbox + inbox (on every consumer and saga endpoint
    /// unless <see cref="EntityFrameworkOutboxOptions.ConsumerOutboxOnAllEndpoints"/> is false), the bus outbox when
    /// <see cref="EntityFrameworkOutboxOptions.UseBusOutbox"/> is called, the durable scheduler, the delivery service
    /// and the inbox cleanup. The DbContext itself is registered by the service (e.g. <c>AddDbContext</c>); its model
    /// must map the entities (<c>modelBuilder.AddMessagingEntities()</c>).
    /// Call it after any <c>AddConfigureEndpointsCallback</c> whose filters must run outside the outbox transaction.
    /// </summary>
    public static IBusRegistrationConfigurator AddEntityFrameworkOutbox<TDbContext>(this IBusRegistrationConfigurator bus,
        Action<EntityFrameworkOutboxOptions>? configure = null)
        where TDbContext : DbContext
    {
        var options = new EntityFrameworkOutboxOptions();
        configure?.Invoke(options);
        options.Validate();

        bus.AddSingleton(new EntityFrameworkOutboxOptionsFor<TDbContext>(options));
        bus.TryAddSingleton<OutboxDeliverySignal<TDbContext>>();
        bus.TryAddSingleton<OutboxCommitInterceptor<TDbContext>>();
        bus.ConfigureDbContext<TDbContext>((provider, db) => db.AddInterceptors(provider.GetRequiredService<OutboxCommitInterceptor<TDbContext>>()));
        bus.TryAddScoped<IOutboxContextFactory<TDbContext>, DbContextOutboxContextFactory<TDbContext>>();

        if (options.BusOutboxEnabled)
        {
            bus.TryAddScoped(provider => new BusOutboxContext<TDbContext>(provider.GetRequiredService<TDbContext>(), provider));
            bus.RemoveAll<IScopedBusContextProvider<IBus>>();
            bus.AddScoped<IScopedBusContextProvider<IBus>, BusOutboxScopedBusContextProvider<TDbContext>>();

            // Outside a consumer, IMessageScheduler schedules into the same unit of work as the bus outbox.
            bus.RemoveAll<IMessageScheduler>();
            bus.AddScoped<IMessageScheduler>(provider => new MessageScheduler(
                new DbContextScheduleMessageProvider(provider.GetRequiredService<ISendEndpointProvider>(), provider.GetRequiredService<TDbContext>()),
                provider.GetRequiredService<IBus>().Topology));
        }

        if (options.DeliveryServiceEnabled) bus.AddHostedService<OutboxDeliveryService<TDbContext>>();
        if (options.InboxCleanupEnabled) bus.AddHostedService<InboxCleanupService<TDbContext>>();

        if (options.ConsumerOutboxOnAllEndpoints)
            bus.AddConfigureEndpointsCallback((context, _, endpoint) => endpoint.UseEntityFrameworkOutbox<TDbContext>(context));

        return bus;
    }

    /// <summary>
    /// Puts the consumer outbox + inbox on this endpoint's consumers and sagas (and, first, the database scheduler and
    /// the configured scheduled redelivery, so that they run outside the outbox transaction).
    /// </summary>
    public static void UseEntityFrameworkOutbox<TDbContext>(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
        where TDbContext : DbContext
    {
        var options = context.GetRequiredService<EntityFrameworkOutboxOptionsFor<TDbContext>>().Value;
        UseDatabaseScheduler<TDbContext>(endpoint, context);
        if (options.RedeliveryIntervals.Count > 0)
            endpoint.UseScheduledRedelivery(r => r.Intervals(options.RedeliveryIntervals.ToArray()));

        var observer = new OutboxConsumePipeSpecificationObserver<TDbContext>(endpoint, context)
        {
            MessageDeliveryLimit = options.MessageDeliveryLimit,
        };
        endpoint.ConnectConsumerConfigurationObserver(observer);
        endpoint.ConnectSagaConfigurationObserver(observer);
    }

    /// <summary>
    /// Delayed redelivery through the durable database scheduler (our broker has no delayed-exchange plugin, so
    /// <c>UseDelayedRedelivery</c> fails on it). Call it before the outbox is added to the endpoint (e.g. in an
    /// <c>AddConfigureEndpointsCallback</c> registered before <c>AddEntityFrameworkOutbox</c>), so that redelivery wraps
    /// the outbox transaction: a failed attempt rolls back, then the message is scheduled back to the queue.
    /// </summary>
    public static void UseDatabaseScheduledRedelivery<TDbContext>(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context,
        Action<IRetryConfigurator> configure)
        where TDbContext : DbContext
    {
        UseDatabaseScheduler<TDbContext>(endpoint, context);
        endpoint.UseScheduledRedelivery(configure);
    }

    private static void UseDatabaseScheduler<TDbContext>(IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
        where TDbContext : DbContext
    {
        endpoint.ConfigureReceive(receive => receive.UseFilter(new DatabaseSchedulerFilter<TDbContext>(context)));
    }
}
