using MassTransit;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Inventory.Persistence;

namespace OrderSystem.Inventory.Reservations;

/// <summary>
/// Inventory's subscription to <see cref="OrderConfirmed"/> (Notification has its own): the order's reservation becomes
/// a sale, its units leave stock (<c>reserved → sold</c>). Once: the inbox drops a redelivered event, and the locked
/// reservation row, <see cref="ReservationStatus.Sold"/> after the first pass, makes any other copy a no-op.
/// </summary>
public class SellReservedStockConsumer(InventoryDbContext db, ILogger<SellReservedStockConsumer> logger) : IConsumer<OrderConfirmed>
{
    public async Task Consume(ConsumeContext<OrderConfirmed> context)
    {
        var orderId = context.Message.OrderId;
        var cancellationToken = context.CancellationToken;

        var reservation = await ReservationLock.LockAsync(db, orderId, cancellationToken);
        if (reservation?.Status != ReservationStatus.Reserved)
        {
            logger.LogInformation("Order {OrderId}: confirmed, reservation {Status}; nothing to sell", orderId,
                reservation?.Status.ToString() ?? "missing");
            return;
        }

        reservation.Status = ReservationStatus.Sold;
        reservation.Reason = "Order confirmed";
        reservation.UpdatedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(cancellationToken);

        // The stock rows last (see ReserveStockConsumer): their locks are held only until the pass commits.
        foreach (var line in reservation.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal))
        {
            await db.Products
                .Where(p => p.Sku == line.Sku)
                .ExecuteUpdateAsync(p => p
                    .SetProperty(x => x.Reserved, x => x.Reserved - line.Quantity)
                    .SetProperty(x => x.Sold, x => x.Sold + line.Quantity), cancellationToken);
        }

        logger.LogInformation("Order {OrderId}: sold {Lines} reserved line(s)", orderId, reservation.Lines.Count);
    }
}
