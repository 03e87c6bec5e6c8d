using MassTransit;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Inventory.Persistence;
using OrderSystem.Messaging.ConsumerOutbox;

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

        // The stock rows at commit (see ReserveStockConsumer): locked only while the pass's last batch finishes.
        foreach (var line in reservation.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal))
            context.WriteAtCommit(StockRowWrites.Sell(line.Sku, line.Quantity), expectedRows: 1, "Sell the units of " + line.Sku);

        logger.LogInformation("Order {OrderId}: sold {Lines} reserved line(s)", orderId, reservation.Lines.Count);
    }
}
