using MassTransit;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Contracts.Inventory;
using OrderSystem.Inventory.Persistence;

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
            await db.SaveChangesAsync(cancellationToken);

            // The stock rows last (see ReserveStockConsumer): their locks are held only until the pass commits.
            foreach (var line in reservation.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal))
            {
                await db.Products
                    .Where(p => p.Sku == line.Sku)
                    .ExecuteUpdateAsync(p => p
                        .SetProperty(x => x.Available, x => x.Available + line.Quantity)
                        .SetProperty(x => x.Reserved, x => x.Reserved - line.Quantity), cancellationToken);
            }

            logger.LogInformation("Order {OrderId}: released {Lines} line(s)", orderId, reservation.Lines.Count);
        }

        await db.SaveChangesAsync(cancellationToken); // the marker; nothing when the row was saved above
        await context.Publish(new StockReleased(orderId), cancellationToken);
    }
}
