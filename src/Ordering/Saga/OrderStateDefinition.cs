using MassTransit;

namespace OrderSystem.Ordering.Saga;

/// <summary>
/// Endpoint policy of the order saga (queue <c>order-state</c>): retry a message a few times (a lost row-lock race, a
/// database blip) before it faults to <c>order-state_error</c>.
/// </summary>
public class OrderStateDefinition : SagaDefinition<OrderState>
{
    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<OrderState> sagaConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(50, 200, 500, 1000, 2000));
    }
}
