using MassTransit;
using OrderSystem.Contracts.Payment;
using OrderSystem.Payment.Persistence;
using OrderSystem.Payment.Provider;

namespace OrderSystem.Payment.Payments;

/// <summary>
/// Gives back an order's charge, once, and answers <see cref="PaymentRefunded"/>. With no payment yet it voids the order
/// (a <see cref="PaymentStatus.Voided"/> row), so a <see cref="ChargePayment"/> still on its way is declined. A charge in
/// progress holds the row's key: the refund waits for it, is retried, and refunds what it captured.
/// </summary>
public class RefundPaymentConsumer(PaymentDbContext db, SimulatedPaymentProvider provider, ILogger<RefundPaymentConsumer> logger)
    : IConsumer<RefundPayment>
{
    public async Task Consume(ConsumeContext<RefundPayment> context)
    {
        var orderId = context.Message.OrderId;
        var cancellationToken = context.CancellationToken;

        var payment = await PaymentLock.LockAsync(db, orderId, cancellationToken);
        var now = DateTimeOffset.UtcNow;
        var refunded = 0m;
        if (payment is null)
        {
            db.Payments.Add(new PaymentRecord
            {
                OrderId = orderId, PaymentId = NewId.NextGuid(), CustomerId = "", Amount = 0, Status = PaymentStatus.Voided,
                Reason = "order cancelled before the charge", CreatedAt = now, UpdatedAt = now,
            });
            logger.LogInformation("Order {OrderId}: voided before any charge", orderId);
        }
        else if (payment.Status == PaymentStatus.Captured)
        {
            await provider.RefundAsync(orderId, payment.PaymentId, payment.Amount, cancellationToken);
            payment.Status = PaymentStatus.Refunded;
            payment.Reason = "order cancelled";
            payment.UpdatedAt = now;
            refunded = payment.Amount;
            logger.LogInformation("Order {OrderId}: refunded {Amount}", orderId, payment.Amount);
        }
        else if (payment.Status == PaymentStatus.Refunded)
        {
            refunded = payment.Amount;
        }

        await db.SaveChangesAsync(cancellationToken);
        await context.Publish(new PaymentRefunded(orderId, refunded), cancellationToken);
    }
}
