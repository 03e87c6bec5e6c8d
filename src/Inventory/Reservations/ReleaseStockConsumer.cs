using MassTransit;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Contracts.Inventory;
using OrderSystem.Inventory.Persistence;
using OrderSystem.Messaging.ConsumerOutbox;

namespace OrderSystem.Inventory.Reservations;

/// <summary>
/// Gives back an order's reserved stock, once. The reservation row is locked, so two concurrent releases of one order
/// cannot both add the units back; a release that finds no row leaves a <see cref="ReservationStatus.Released"/> marker,
/// so a <see cref="ReserveStock"/> overtaken by the cancel is refused when it arrives.
/// </summary>
public class ReleaseStockConsumer(InventoryDbContext db, ILogger<ReleaseStockConsumer> logger) : IConsumer<ReleaseStock>
{
    public async Task Consume(ConsumeContext<ReleaseStock> context)
    {
        var orderId = context.Message.OrderId;
        var cancellationToken = context.CancellationToken;

        var reservation = await ReservationLock.LockAsync(db, orderId, cancellationToken);
        var now = DateTimeOffset.UtcNow;
        if (reservation is null)
        {
            db.Reservations.Add(new Reservation
            {
                OrderId = orderId, Status = ReservationStatus.Released, Reason = "Order cancelled before the reservation", CreatedAt = now, UpdatedAt = now,
            });
            logger.LogInformation("Order {OrderId}: released before any reservation; a later reservation will be refused", orderId);
        }
        else if (reservation.Status == ReservationStatus.Reserved)
        {
            reservation.Status = ReservationStatus.Released;
            reservation.Reason = "Order cancelled";
            reservation.UpdatedAt = now;

            // The stock rows at commit (see ReserveStockConsumer): locked only while the pass's last batch finishes.
            foreach (var line in reservation.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal))
                context.WriteAtCommit(StockRowWrites.GiveBack(line.Sku, line.Quantity), expectedRows: 1, "Give back the units of " + line.Sku);

            logger.LogInformation("Order {OrderId}: released {Lines} line(s)", orderId, reservation.Lines.Count);
        }

        await db.SaveChangesAsync(cancellationToken); // the marker or the released row
        await context.Publish(new StockReleased(orderId), cancellationToken);
    }
}
