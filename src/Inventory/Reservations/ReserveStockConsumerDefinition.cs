using MassTransit;
using Npgsql;
using OrderSystem.Inventory.Catalog;
using OrderSystem.Inventory.Persistence;
using OrderSystem.Messaging.FailureHandling;

namespace OrderSystem.Inventory.Reservations;

/// <summary>
/// Endpoint policy of <see cref="ReserveStockConsumer"/> (queue <c>reserve-stock</c>): the system's failure policy
/// (docs/failure-handling.md). Immediate retries cover a lost race on the reservation key (23505), a lost race for the
/// last units (the stock's check constraint refused the commit: a conflict of this endpoint's own) or a database blip;
/// delayed redelivery through the durable scheduler rides out a longer database outage; anything permanent (and what is
/// left after the last redelivery) faults at once: <c>Fault&lt;ReserveStock&gt;</c>, which the order saga turns into a
/// rejection, and the message in <c>reserve-stock_error</c>.
/// </summary>
public class ReserveStockConsumerDefinition : ConsumerDefinition<ReserveStockConsumer>
{
    public ReserveStockConsumerDefinition()
    {
        ConcurrentMessageLimit = 8;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ReserveStockConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseFailurePolicy<InventoryDbContext>(context, policy => policy.Conflict<PostgresException>(e =>
            e.SqlState == PostgresErrorCodes.CheckViolation && e.ConstraintName == ProductMap.AvailableNotNegative));
    }
}
