using Microsoft.EntityFrameworkCore;
using OrderSystem.Inventory.Persistence;

namespace OrderSystem.Inventory.Reservations;

/// <summary>Reads an order's reservation row with a row lock held until the transaction ends (null when there is none yet).</summary>
public static class ReservationLock
{
    public static async Task<Reservation?> LockAsync(InventoryDbContext db, Guid orderId, CancellationToken cancellationToken) =>
        (await db.Reservations.FromSql($"SELECT * FROM reservations WHERE order_id = {orderId} FOR UPDATE").ToListAsync(cancellationToken))
        .SingleOrDefault();
}
