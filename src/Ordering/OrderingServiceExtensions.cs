using MassTransit;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Messaging.Bus;
using OrderSystem.Messaging.Sagas;
using OrderSystem.Ordering.Api;
using OrderSystem.Ordering.Backpressure;
using OrderSystem.Ordering.Persistence;
using OrderSystem.Ordering.Saga;
using OrderSystem.Ordering.StateFeed;
using OrderSystem.Ordering.Telemetry;

namespace OrderSystem.Ordering;

/// <summary>Everything the Ordering service registers, in one place (Program.cs stays a few lines).</summary>
public static class OrderingServiceExtensions
{
    /// <summary>Connection-string name of this service's database, as the AppHost declares it.</summary>
    public const string DatabaseName = "orderdb";

    public static IHostApplicationBuilder AddOrderingServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<OrderingDbContext>(DatabaseName);
        builder.Services.AddOptions<OrderSagaOptions>().BindConfiguration(OrderSagaOptions.Section);
        builder.AddRequestProblemDetails(); // unreadable requests get a ProblemDetails naming the field (ServiceDefaults)
        builder.Services.AddSingleton<OrderMetrics>();
        builder.Services.AddOptions<BackpressureOptions>().BindConfiguration(BackpressureOptions.Section);
        builder.Services.AddSingleton<SagaBacklog>(); // POST /orders answers 503 while too much waits for the saga
        builder.Services.AddScoped<RecordOrderStateActivity>();
        builder.Services.AddSingleton<OrderStateFeed>(); // GET /orders/events
        builder.AddBaggageAttributes(OrderBaggage.OrderId); // order.id on every span and log record (docs/observability.md)
        builder.AddMessageBus<OrderingDbContext>(bus =>
        {
            bus.AddSagaStateMachine<OrderStateMachine, OrderState, OrderStateDefinition>()
                .EntityFrameworkRepository(r =>
                {
                    r.ConcurrencyMode = ConcurrencyMode.Pessimistic; // one message per order at a time: SELECT … FOR UPDATE
                    r.ExistingDbContext<OrderingDbContext>();
                });
        });
        return builder;
    }

    public static WebApplication MapOrderingApi(this WebApplication app)
    {
        app.UseRequestProblemDetails();
        app.MapOrdersApi();
        return app;
    }
}
