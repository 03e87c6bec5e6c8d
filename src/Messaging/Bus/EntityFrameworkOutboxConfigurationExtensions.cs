using MassTransit;
using MassTransit.Configuration;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrderSystem.Messaging.BusOutbox;
using OrderSystem.Messaging.Configuration;
using OrderSystem.Messaging.ConsumerOutbox;
using OrderSystem.Messaging.Delivery;
using OrderSystem.Messaging.FailureHandling;
using OrderSystem.Messaging.Scheduling;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.Bus;

/// <summary>
/// Registration of the EF Core outbox, with MassTransit.EntityFrameworkCore's names: <c>AddEntityFrameworkOutbox&lt;T&gt;(o =&gt; o.UseBusOutbox())</c>,
/// <c>UseEntityFrameworkOutbox&lt;T&gt;(context)</c>. See docs/messaging.md for what differs.
/// </summary>
public static class EntityFrameworkOutboxConfigurationExtensions
{
    /// <summary>
    /// Registers, for <typeparamref name="TDbContext"/>: the consumer outbox + inbox (on every consumer and saga endpoint
    /// unless <see cref="EntityFrameworkOutboxOptions.ConsumerOutboxOnAllEndpoints"/> is false), the bus outbox when
    /// <see cref="EntityFrameworkOutboxOptions.UseBusOutbox"/> is called, the durable scheduler, the delivery service and
    /// the inbox cleanup. The service registers the DbContext itself; its model maps the entities
    /// (<c>modelBuilder.AddMessagingEntities()</c>). Endpoint callbacks added before this call run outside the outbox.
    /// </summary>
    public static IBusRegistrationConfigurator AddEntityFrameworkOutbox<TDbContext>(this IBusRegistrationConfigurator bus,
        Action<EntityFrameworkOutboxOptions>? configure = null)
        where TDbContext : DbContext
    {
        var options = new EntityFrameworkOutboxOptions();
        configure?.Invoke(options);
        options.Validate();

        bus.AddSingleton(new EntityFrameworkOutboxOptionsFor<TDbContext>(options));
        bus.TryAddSingleton<BusOutboxNotification<TDbContext>>();
        bus.TryAddSingleton<BusOutboxNotificationInterceptor<TDbContext>>();
        bus.ConfigureDbContext<TDbContext>((provider, db) =>
            db.AddInterceptors(provider.GetRequiredService<BusOutboxNotificationInterceptor<TDbContext>>(), AfterCommit.Interceptor));
        bus.TryAddSingleton<DeliveredMarks<TDbContext>>();
        bus.TryAddScoped<IOutboxContextFactory<TDbContext>, EntityFrameworkOutboxContextFactory<TDbContext>>();

        if (options.BusOutboxEnabled)
        {
            bus.TryAddScoped(provider => new BusOutboxContext<TDbContext>(provider.GetRequiredService<TDbContext>(), provider));
            bus.RemoveAll<IScopedBusContextProvider<IBus>>();
            bus.AddScoped<IScopedBusContextProvider<IBus>, EntityFrameworkScopedBusContextProvider<TDbContext>>();

            // Outside a consumer, IMessageScheduler schedules into the same unit of work as the bus outbox.
            bus.RemoveAll<IMessageScheduler>();
            bus.AddScoped<IMessageScheduler>(provider => new MessageScheduler(
                new DbContextScheduleMessageProvider(provider.GetRequiredService<ISendEndpointProvider>(), provider.GetRequiredService<TDbContext>()),
                provider.GetRequiredService<IBus>().Topology));
        }

        if (options.DeliveryServiceEnabled) bus.AddHostedService<BusOutboxDeliveryService<TDbContext>>();
        if (options.InboxCleanupEnabled) bus.AddHostedService<InboxCleanupService<TDbContext>>();

        if (options.ConsumerOutboxOnAllEndpoints)
            bus.AddConfigureEndpointsCallback((context, _, endpoint) => endpoint.UseEntityFrameworkOutbox<TDbContext>(context));

        return bus;
    }

    /// <summary>
    /// Puts the consumer outbox + inbox on this endpoint's consumers and sagas, and gives the endpoint the database
    /// scheduler that redelivery (configured with <c>UseFailurePolicy</c>) writes to.
    /// </summary>
    public static void UseEntityFrameworkOutbox<TDbContext>(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
        where TDbContext : DbContext
    {
        var options = context.GetRequiredService<EntityFrameworkOutboxOptionsFor<TDbContext>>().Value;
        endpoint.UseRedeliveryScheduler<TDbContext>(context);

        var observer = new OutboxConsumePipeSpecificationObserver<TDbContext>(endpoint, context)
        {
            MessageDeliveryLimit = options.MessageDeliveryLimit,
        };
        endpoint.ConnectConsumerConfigurationObserver(observer);
        endpoint.ConnectSagaConfigurationObserver(new EntityFrameworkSagaOutboxObserver<TDbContext>(endpoint, context, options.MessageDeliveryLimit));
    }
}
