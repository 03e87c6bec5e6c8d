using MassTransit;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Contracts.Inventory;
using OrderSystem.Inventory.Persistence;
using OrderSystem.Messaging.ConsumerOutbox;

namespace OrderSystem.Inventory.Reservations;

/// <summary>
/// Reserves every line of an order or none, and answers <see cref="StockReserved"/> (with the lines priced) or
/// <see cref="StockReservationFailed"/>.
/// <para>
/// One effect per order: the <see cref="Reservation"/> row (primary key = order id) is locked first; if it exists the
/// earlier answer is published again. Two concurrent first deliveries both try to insert it: the second waits for the
/// first to commit, fails on the key, is retried and then finds the row. The inbox of the messaging building block
/// removes most duplicates before they get here; this keeps the guarantee when it does not.
/// </para>
/// <para>
/// The stock is taken at commit. Every order of a product updates that product's one row and holds its lock until its
/// transaction commits, so the orders of a popular product queue for it, and how long each holds it decides how many
/// per second that product can sell. So the decision comes from a plain read of the committed figures (no lock), the
/// reservation row is written, and the units are taken by statements handed to the end of the consuming pass
/// (<see cref="StockRowWrites"/> through <c>context.WriteAtCommit</c>): they reach PostgreSQL in the pass's last batch,
/// in SKU order (two orders never lock the same rows in opposite orders), right before its <c>COMMIT</c>, and the row
/// is locked only while that batch finishes. Measured in docs/performance.md ("The stock taken at commit").
/// </para>
/// <para>
/// Stock never goes negative, even with several instances of this service consuming at once. Between the read and the
/// commit another order may take the last units: the update then waits for that order's commit and, re-applied to the
/// committed row (READ COMMITTED), would leave it negative, which <see cref="Catalog.ProductMap.AvailableNotNegative"/>
/// refuses. The whole pass rolls back (the reservation row with it, all lines or none), the endpoint's failure policy
/// retries it at once as a concurrency conflict (<see cref="ReserveStockConsumerDefinition"/>), and the retry reads the
/// new figures and answers "Out of stock".
/// </para>
/// </summary>
public class ReserveStockConsumer(InventoryDbContext db, ILogger<ReserveStockConsumer> logger) : IConsumer<ReserveStock>
{
    public async Task Consume(ConsumeContext<ReserveStock> context)
    {
        var message = context.Message;
        var cancellationToken = context.CancellationToken;

        var reservation = await ReservationLock.LockAsync(db, message.OrderId, cancellationToken);
        if (reservation is null)
        {
            reservation = await ReserveAsync(context, cancellationToken);
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

    /// <summary>Decides from the committed stock, writes the order's reservation row, and leaves the stock to the commit.</summary>
    private async Task<Reservation> ReserveAsync(ConsumeContext<ReserveStock> context, CancellationToken cancellationToken)
    {
        var message = context.Message;
        var lines = message.Lines
            .GroupBy(l => l.Sku)
            .Select(g => new OrderLine(g.Key, g.Sum(l => l.Quantity)))
            .OrderBy(l => l.Sku, StringComparer.Ordinal)
            .ToList();
        var skus = lines.Select(l => l.Sku).ToList();
        var stock = await db.Products.AsNoTracking()
            .Where(p => skus.Contains(p.Sku))
            .Select(p => new { p.Sku, p.Price, p.Available })
            .ToDictionaryAsync(p => p.Sku, cancellationToken);

        var unknown = skus.Where(s => !stock.ContainsKey(s)).ToList();
        if (unknown.Count > 0) return await AddAsync(Rejected(message.OrderId, "Unknown SKU: " + string.Join(", ", unknown)), cancellationToken);
        if (lines.Any(l => l.Quantity <= 0)) return await AddAsync(Rejected(message.OrderId, "Invalid quantity"), cancellationToken);
        if (lines.FirstOrDefault(l => stock[l.Sku].Available < l.Quantity) is { } shortLine)
            return await AddAsync(Rejected(message.OrderId, "Out of stock: " + shortLine.Sku), cancellationToken);

        var priced = lines.Select(l => new PricedLine(l.Sku, l.Quantity, stock[l.Sku].Price)).ToList();
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

        // The stock rows at commit: locked only while the pass's last batch finishes; refused if another order got there first.
        foreach (var line in lines)
            context.WriteAtCommit(StockRowWrites.Take(line.Sku, line.Quantity), expectedRows: 1, "Take the stock of " + line.Sku);

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
