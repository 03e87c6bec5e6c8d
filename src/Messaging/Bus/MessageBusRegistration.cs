using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrderSystem.Messaging.Broker;
using OrderSystem.Messaging.Configuration;
using OrderSystem.Messaging.Diagnostics;
using OrderSystem.Messaging.FailureHandling;
using OrderSystem.Messaging.Queues;

namespace OrderSystem.Messaging.Bus;

public static class MessageBusRegistration
{
    /// <summary>Name of the connection string that holds the broker's AMQP URI (what the AppHost's <c>messaging</c> resource injects).</summary>
    public const string DefaultConnectionName = "messaging";

    /// <summary>
    /// MassTransit on RabbitMQ at the AMQP URI in <c>ConnectionStrings:messaging</c> (or on every node of the cluster in
    /// <c>Messaging:ClusterNodes</c>, failing over between them: <see cref="BrokerEndpoints"/>), kebab-case endpoints configured from
    /// their definitions, the <c>rabbitmq</c> health check, the failure-policy options (<c>Messaging:FailureHandling</c>)
    /// the <see cref="ErrorQueueMonitor"/> (<c>Messaging:ErrorQueueMonitor</c>), the <see cref="QueueMonitor"/> (<c>Messaging:QueueMonitor</c>)
    /// and the queue type of every service endpoint (<c>Messaging:QueueType</c>, <c>Messaging:DeliveryLimit</c>; see <see cref="ServiceQueueTopology"/>).
    /// </summary>
    public static TBuilder AddMessageBus<TBuilder>(
        this TBuilder builder,
        Action<IBusRegistrationConfigurator> configure,
        string connectionName = DefaultConnectionName)
        where TBuilder : IHostApplicationBuilder
    {
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        var broker = BrokerEndpoints.FromConfiguration(builder.Configuration, connectionName, preference: serviceName);
        var queues = builder.Configuration.GetSection(ServiceQueueOptions.Section).Get<ServiceQueueOptions>() ?? new ServiceQueueOptions();
        queues.Validate();
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<QueueDeclarationGuard>(services, queues, broker, serviceName));
        builder.Services.AddReceiveEndpointObserver(services => services.GetRequiredService<QueueDeclarationGuard>());
        builder.Services.AddBusObserver(services => services.GetRequiredService<QueueDeclarationGuard>());
        builder.Services.AddSingleton(_ => new BrokerConnectionHealthCheck(broker)); // one connection, disposed with the host
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "rabbitmq",
            services => services.GetRequiredService<BrokerConnectionHealthCheck>(),
            failureStatus: HealthStatus.Unhealthy,
            tags: ["ready"],
            timeout: TimeSpan.FromSeconds(10)));
        builder.Services.AddOptions<FailureHandlingOptions>().BindConfiguration(FailureHandlingOptions.Section);
        builder.Services.AddOptions<ErrorQueueMonitorOptions>().BindConfiguration(ErrorQueueMonitorOptions.Section);
        if (builder.Configuration.GetValue($"{ErrorQueueMonitorOptions.Section}:{nameof(ErrorQueueMonitorOptions.Enabled)}", true))
        {
            builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<ErrorQueueMonitor>(services, broker));
            builder.Services.AddHostedService(services => services.GetRequiredService<ErrorQueueMonitor>());
        }

        builder.Services.AddOptions<QueueMonitorOptions>().BindConfiguration(QueueMonitorOptions.Section);
        if (builder.Configuration.GetValue($"{QueueMonitorOptions.Section}:{nameof(QueueMonitorOptions.Enabled)}", true))
        {
            builder.Services.AddSingleton<ReceiveActivityObserver>();
            builder.Services.AddReceiveObserver(services => services.GetRequiredService<ReceiveActivityObserver>());
            builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<QueueMonitor>(services, broker));
            builder.Services.AddHostedService(services => services.GetRequiredService<QueueMonitor>());
        }

        AddReceiveEndpointSupervision(builder);

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            // MassTransit (8.4 and later) reports anonymous usage to usage-tracking.masstransit.io unless told not to. A
            // sample run on a laptop or in CI should not call out to the internet on its own (and where it cannot, every
            // service logs a warning). Opt in by removing this line.
            bus.ConfigureUsageTelemetryOptions(o => o.Enabled = false);
            bus.AddConfigureEndpointsCallback((context, queueName, _) => context.GetService<ErrorQueueMonitor>()?.Watch(queueName));
            bus.AddConfigureEndpointsCallback((context, queueName, _) => context.GetService<QueueMonitor>()?.Watch(queueName));
            bus.AddConfigureEndpointsCallback((_, queueName, endpoint) => ServiceQueueTopology.Apply(endpoint, queueName, queues));
            bus.AddConfigureEndpointsCallback((context, _, endpoint) => context.GetRequiredService<QueueDeclarationGuard>().Watch(endpoint));
            configure(bus);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                // The connection carries the service's name (the AppHost's resource name when it runs under it), so the
                // broker's UI and the AppHost's dead-letter depths can tell which service consumes which queue.
                rabbit.Host(broker.Uri, host =>
                {
                    host.ConnectionName(serviceName);
                    broker.ConfigureHost(host);
                });
                ServiceQueueTopology.KeepDeadLetterQueuesClassic(rabbit, queues);
                rabbit.ConfigureEndpoints(context);
            });
        });

        return builder;
    }

    /// <summary>
    /// A receive endpoint that stops consuming must show and must come back (docs/reliability.md, "Three-node cluster"):
    /// MassTransit gives up waiting for the deliveries of a dead consumer after <see cref="ReceiveEndpointOptions.ConsumerStopTimeout"/>
    /// and restarts the endpoint (its default waits for ever); <c>/health</c> names an endpoint that is not consuming
    /// (<see cref="ReceiveEndpointHealthCheck"/>), and <see cref="ReceiveEndpointWatch"/> logs it and counts it in a gauge.
    /// </summary>
    private static void AddReceiveEndpointSupervision(IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReceiveEndpointOptions>().BindConfiguration(ReceiveEndpointOptions.Section)
            .Validate(o => o.ConsumerStopTimeout > TimeSpan.Zero && o.ConsumerLostAfter > TimeSpan.Zero,
                $"{ReceiveEndpointOptions.Section}: ConsumerStopTimeout and ConsumerLostAfter must be positive.")
            .ValidateOnStart();
        builder.Services.AddOptions<MassTransitHostOptions>().Configure<IOptions<ReceiveEndpointOptions>>((host, endpoints) =>
        {
            // A host that chose its own timeouts keeps them; MassTransit requires ConsumerStopTimeout <= StopTimeout.
            host.StopTimeout ??= endpoints.Value.ConsumerStopTimeout;
            host.ConsumerStopTimeout ??= endpoints.Value.ConsumerStopTimeout < host.StopTimeout ? endpoints.Value.ConsumerStopTimeout : host.StopTimeout;
        });
        builder.Services.AddSingleton(services => new ReceiveEndpointStates(
            services.GetRequiredService<IOptions<ReceiveEndpointOptions>>(), services.GetService<QueueMonitor>()));
        builder.Services.AddReceiveEndpointObserver(services => services.GetRequiredService<ReceiveEndpointStates>());
        builder.Services.AddHostedService<ReceiveEndpointWatch>();
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "receive-endpoints",
            services => ActivatorUtilities.CreateInstance<ReceiveEndpointHealthCheck>(services),
            failureStatus: HealthStatus.Unhealthy,
            tags: ["ready"]));
    }

    /// <summary>
    /// The bus above plus the transactional messaging of <typeparamref name="TDbContext"/>
    /// (<c>AddEntityFrameworkOutbox&lt;TDbContext&gt;(o =&gt; o.UseBusOutbox())</c>). Endpoint callbacks added in
    /// <paramref name="configure"/> run before (outside) the outbox.
    /// </summary>
    public static IHostApplicationBuilder AddMessageBus<TDbContext>(
        this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator> configure,
        Action<EntityFrameworkOutboxOptions>? outbox = null,
        string connectionName = DefaultConnectionName)
        where TDbContext : DbContext
    {
        return builder.AddMessageBus(bus =>
        {
            configure(bus);
            bus.AddEntityFrameworkOutbox<TDbContext>(o =>
            {
                o.UseBusOutbox();
                outbox?.Invoke(o);
            });
        }, connectionName);
    }
}
