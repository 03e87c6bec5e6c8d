using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace OrderSystem.Messaging.Bus;

public static class MessageBusRegistration
{
    /// <summary>Name of the connection string that holds the broker's AMQP URI (what the AppHost's <c>messaging</c> resource injects).</summary>
    public const string DefaultConnectionName = "messaging";

    /// <summary>
    /// MassTransit on RabbitMQ, connected to the AMQP URI in <c>ConnectionStrings:messaging</c>
    /// (<c>amqp://user:password@host:port/vhost</c>). Endpoints are named kebab-case after their consumer or saga, and
    /// each one's policy lives in its definition next to the consumer. Two checks join <c>/health</c>: MassTransit's
    /// own (its receive endpoints) and <c>rabbitmq</c> (<see cref="BrokerConnectionHealthCheck"/>): Unhealthy while the
    /// broker is unreachable.
    /// </summary>
    public static TBuilder AddMessageBus<TBuilder>(
        this TBuilder builder,
        Action<IBusRegistrationConfigurator> configure,
        string connectionName = DefaultConnectionName)
        where TBuilder : IHostApplicationBuilder
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"Connection string '{connectionName}' is missing. Set ConnectionStrings__{connectionName} to the broker's AMQP URI " +
                "(the AppHost and eng/run.sh do), e.g. amqp://guest:guest@localhost:5672/.");
        }

        var brokerUri = new Uri(connectionString);
        builder.Services.AddSingleton(_ => new BrokerConnectionHealthCheck(brokerUri)); // one connection, disposed with the host
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "rabbitmq",
            services => services.GetRequiredService<BrokerConnectionHealthCheck>(),
            failureStatus: HealthStatus.Unhealthy,
            tags: ["ready"],
            timeout: TimeSpan.FromSeconds(10)));
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            configure(bus);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(brokerUri);
                rabbit.ConfigureEndpoints(context);
            });
        });

        return builder;
    }
}
