using MassTransit;
using OrderSystem.Messaging.FailureHandling;
using OrderSystem.Ordering.Persistence;

namespace OrderSystem.Ordering.Saga;

/// <summary>
/// Endpoint policy of the order saga (queue <c>order-state</c>): the system's failure policy (docs/failure-handling.md).
/// Concurrency conflicts (40001, 40P01, a racing insert's 23505, an <c>xmin</c> check in optimistic mode) and transient
/// database failures are retried at once with back-off; a longer database outage is redelivered through the durable
/// scheduler; a permanent failure faults at once to <c>order-state_error</c>. Faults of the saga's commands
/// (<c>Fault&lt;ReserveStock&gt;</c>, <c>Fault&lt;ChargePayment&gt;</c>) are events of the state machine, not failures here.
/// </summary>
public class OrderStateDefinition : SagaDefinition<OrderState>
{
    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<OrderState> sagaConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseFailurePolicy<OrderingDbContext>(context);
    }
}
