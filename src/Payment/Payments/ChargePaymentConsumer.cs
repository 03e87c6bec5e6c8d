using MassTransit;
using OrderSystem.Contracts.Payment;
using OrderSystem.Payment.Persistence;
using OrderSystem.Payment.Provider;

namespace OrderSystem.Payment.Payments;

/// <summary>
/// Charges an order's total, at most once, and answers <see cref="PaymentCaptured"/> or <see cref="PaymentDeclined"/>.
/// <para>
/// The payment row (primary key = order id) is locked, or inserted before the provider is called: a concurrent copy of
/// the command (another instance, a redelivery) waits on that key until this transaction ends, then fails, is retried,
/// and finds the outcome to repeat. So the provider is called once per order. A row left by <see cref="RefundPaymentConsumer"/>
/// (the order was cancelled first) makes the charge declined.
/// </para>
/// </summary>
public class ChargePaymentConsumer(PaymentDbContext db, SimulatedPaymentProvider provider, ILogger<ChargePaymentConsumer> logger)
    : IConsumer<ChargePayment>
{
    public async Task Consume(ConsumeContext<ChargePayment> context)
    {
        var message = context.Message;
        var cancellationToken = context.CancellationToken;

        var payment = await PaymentLock.LockAsync(db, message.OrderId, cancellationToken);
        if (payment is null)
        {
            var now = DateTimeOffset.UtcNow;
            payment = new PaymentRecord
            {
                OrderId = message.OrderId,
                PaymentId = NewId.NextGuid(),
                CustomerId = message.CustomerId,
                Amount = message.Amount,
                Status = PaymentStatus.Pending,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Payments.Add(payment);
            await db.SaveChangesAsync(cancellationToken); // takes the order's key before calling the provider

            var decision = await provider.ChargeAsync(message.OrderId, message.CustomerId, message.Amount, cancellationToken);
            payment.Status = decision.Approved ? PaymentStatus.Captured : PaymentStatus.Declined;
            payment.Reason = decision.Reason;
            payment.UpdatedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Order {OrderId}: payment of {Amount} {Status} {Reason}", message.OrderId, message.Amount, payment.Status, payment.Reason);
        }
        else
        {
            logger.LogInformation("Order {OrderId}: payment already {Status}; answering again", message.OrderId, payment.Status);
        }

        await (payment.Status switch
        {
            PaymentStatus.Captured => context.Publish(new PaymentCaptured(payment.OrderId, payment.PaymentId, payment.Amount), cancellationToken),
            PaymentStatus.Declined => context.Publish(new PaymentDeclined(payment.OrderId, payment.Reason ?? "declined"), cancellationToken),
            _ => context.Publish(new PaymentDeclined(payment.OrderId, "order cancelled"), cancellationToken),
        });
    }
}
