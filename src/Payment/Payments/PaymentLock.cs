using Microsoft.EntityFrameworkCore;
using OrderSystem.Payment.Persistence;

namespace OrderSystem.Payment.Payments;

/// <summary>Reads an order's payment row with a row lock held until the transaction ends (null when there is none yet).</summary>
public static class PaymentLock
{
    public static async Task<PaymentRecord?> LockAsync(PaymentDbContext db, Guid orderId, CancellationToken cancellationToken) =>
        (await db.Payments.FromSql($"SELECT * FROM payments WHERE order_id = {orderId} FOR UPDATE").ToListAsync(cancellationToken))
        .SingleOrDefault();
}
