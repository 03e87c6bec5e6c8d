namespace OrderSystem.Ordering.Saga;

/// <summary>
/// How long the saga waits for the payment's answer before it cancels the order (configuration section
/// <c>Ordering:PaymentTimeout</c>, e.g. <c>Ordering__PaymentTimeout=00:00:30</c>).
/// </summary>
public class OrderSagaOptions
{
    public const string Section = "Ordering";

    public TimeSpan PaymentTimeout { get; set; } = TimeSpan.FromMinutes(2);
}
