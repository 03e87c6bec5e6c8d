namespace OrderSystem.Payment.Payments;

public enum PaymentStatus
{
    /// <summary>The provider is being called. Only ever seen inside the charging transaction: committed rows have an outcome.</summary>
    Pending,

    /// <summary>The amount was charged.</summary>
    Captured,

    /// <summary>The provider refused the charge; nothing was taken.</summary>
    Declined,

    /// <summary>The charge was given back (the order was cancelled after it).</summary>
    Refunded,

    /// <summary>The order was cancelled before any charge: a late <c>ChargePayment</c> is declined.</summary>
    Voided,
}
