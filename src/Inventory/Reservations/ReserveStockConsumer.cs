using MassTransit;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Contracts.Inventory;
using OrderSystem.Inventory.Persistence;

namespace OrderSystem.Inventory.Reservations;

/// <summary>
/// Reserves every line of an order or none, and answers <see cref="StockReserved"/> (with the lines priced) or
/// <see cref="StockReservationFailed"/>.
/// <para>
/// Stock never goes negative, even with several instances of this service consuming at once: each line is taken with
/// <c>UPDATE products SET available = available - q … WHERE sku = s AND available &gt;= q</c>. PostgreSQL locks the row
/// for the UPDATE and, if another transaction changed it meanwhile, re-checks the WHERE against the committed row
/// (READ COMMITTED), so two orders can never both take the last unit. Lines are taken in SKU order, so two orders
/// never lock the same rows in opposite orders (no deadlock). If any line is short, a savepoint undoes the lines
/// already taken: all or nothing.
/// </para>
/// <para>
/// One effect per order: the <see cref="Reservation"/> row (primary key = order id) is locked first; if it exists the
/// earlier answer is published again. Two concurrent first deliveries both try to insert it: the second waits for the
/// first to commit, fails on the key, is retried and then finds the row. The inbox of the messaging building block
/// removes most duplicates before they get here; this keeps the guarantee when it does not.
/// </para>
/// <para>
/// The stock rows are taken last. Every order of a product updates that product's one row and holds its lock until the
/// transaction commits, so the orders of a popular product queue for it, and how long each holds it decides how many
/// per second that product can sell. The reservation row is written first (a round trip nobody else waits for), the
/// stock after it, so the lock is held only while the consuming pass writes its outbox rows and commits, in one round
/// trip. Measured in docs/performance.md ("The stock row is taken last").
/// </para>
/// </summary>
public class ReserveStockConsumer(InventoryDbContext db, ILogger<ReserveStockConsumer> logger) : IConsumer<ReserveStock>
{
    private const string BeforeTakingStock = "before_taking_stock";

    public async Task Consume(ConsumeContext<ReserveStock> context)
    {
        var message = context.Message;
        var cancellationToken = context.CancellationToken;

        var reservation = await ReservationLock.LockAsync(db, message.OrderId, cancellationToken);
        if (reservation is null)
        {
            reservation = await ReserveAsync(message, cancellationToken);
            logger.LogInformation("Order {OrderId}: {Status} {Reason}", message.OrderId, reservation.Status, reservation.Reason);
        }
        else
        {
            logger.LogInformation("Order {OrderId} already handled ({Status}); answering again", message.OrderId, reservation.Status);
        }

        await (reservation.Status == ReservationStatus.Reserved
            ? context.Publish(new StockReserved(reservation.OrderId, reservation.Lines, reservation.Total), cancellationToken)
            : context.Publish(new StockReservationFailed(reservation.OrderId, reservation.Reason ?? reservation.Status.ToString()), cancellationToken));
    }

    /// <summary>Writes the order's reservation row, then takes its stock; the answer is the row's status.</summary>
    private async Task<Reservation> ReserveAsync(ReserveStock message, CancellationToken cancellationToken)
    {
        var lines = message.Lines
            .GroupBy(l => l.Sku)
            .Select(g => new OrderLine(g.Key, g.Sum(l => l.Quantity)))
            .OrderBy(l => l.Sku, StringComparer.Ordinal)
            .ToList();
        var skus = lines.Select(l => l.Sku).ToList();
        var prices = await db.Products.AsNoTracking().Where(p => skus.Contains(p.Sku)).ToDictionaryAsync(p => p.Sku, p => p.Price, cancellationToken);

        var unknown = skus.Where(s => !prices.ContainsKey(s)).ToList();
        if (unknown.Count > 0) return await AddAsync(Rejected(message.OrderId, "Unknown SKU: " + string.Join(", ", unknown)), cancellationToken);
        if (lines.Any(l => l.Quantity <= 0)) return await AddAsync(Rejected(message.OrderId, "Invalid quantity"), cancellationToken);

        var priced = lines.Select(l => new PricedLine(l.Sku, l.Quantity, prices[l.Sku])).ToList();
        var now = DateTimeOffset.UtcNow;
        var reservation = await AddAsync(new Reservation
        {
            OrderId = message.OrderId,
            Status = ReservationStatus.Reserved,
            Lines = priced,
            Total = priced.Sum(l => l.LineTotal),
            CreatedAt = now,
            UpdatedAt = now,
        }, cancellationToken);

        // The stock rows last: from the first UPDATE until the pass commits, other orders of these products wait.
        var transaction = db.Database.CurrentTransaction!; // the consumer outbox's
        await transaction.CreateSavepointAsync(BeforeTakingStock, cancellationToken);
        foreach (var line in lines)
        {
            var taken = await db.Products
                .Where(p => p.Sku == line.Sku && p.Available >= line.Quantity)
                .ExecuteUpdateAsync(p => p
                    .SetProperty(x => x.Available, x => x.Available - line.Quantity)
                    .SetProperty(x => x.Reserved, x => x.Reserved + line.Quantity), cancellationToken);
            if (taken == 0)
            {
                await transaction.RollbackToSavepointAsync(BeforeTakingStock, cancellationToken); // the lines taken so far
                reservation.Status = ReservationStatus.Rejected;
                reservation.Reason = "Out of stock: " + line.Sku;
                reservation.Lines = [];
                reservation.Total = 0;
                await db.SaveChangesAsync(cancellationToken);
                return reservation;
            }
        }

        return reservation;
    }

    /// <summary>Inserts the order's row: a concurrent first delivery of the same order waits here, then fails on the key.</summary>
    private async Task<Reservation> AddAsync(Reservation reservation, CancellationToken cancellationToken)
    {
        db.Reservations.Add(reservation);
        await db.SaveChangesAsync(cancellationToken);
        return reservation;
    }

    private static Reservation Rejected(Guid orderId, string reason)
    {
        var now = DateTimeOffset.UtcNow;
        return new Reservation { OrderId = orderId, Status = ReservationStatus.Rejected, Reason = reason, CreatedAt = now, UpdatedAt = now };
    }
}
