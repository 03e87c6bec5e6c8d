using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace OrderSystem.Messaging.Sagas.Tests.Counter;

/// <summary>
/// Endpoint policy of the counter saga. Many messages at once (the tests want contention), and message retry on
/// database write conflicts: optimistic mode depends on it (a lost race throws at SaveChanges); pessimistic mode does
/// not need it, which the tests check through <see cref="Attempts"/>.
/// </summary>
public class CounterStateDefinition : SagaDefinition<CounterState>
{
    public const int Concurrency = 16;

    public CounterStateDefinition() => ConcurrentMessageLimit = Concurrency;

    protected override void ConfigureSaga(
        IReceiveEndpointConfigurator endpointConfigurator,
        ISagaConfigurator<CounterState> sagaConfigurator,
        IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.PrefetchCount = Concurrency;

        // DbUpdateException covers both optimistic failures: DbUpdateConcurrencyException (xmin changed) and a
        // duplicate key (a concurrent first event created the instance). Jittered back-off spreads the contenders.
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<DbUpdateException>();
            r.Exponential(100, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(10));
        });
    }
}
