namespace OrderSystem.Payment.Provider;

/// <summary>
/// Rules of the simulated payment provider (configuration section <c>Payment:Provider</c>, e.g.
/// <c>Payment__Provider__DeclineAbove=500</c>). The defaults make it deterministic: no latency, no transient failures.
/// </summary>
public class PaymentProviderOptions
{
    public const string Section = "Payment:Provider";

    /// <summary>A charge above this amount is declined ("limit exceeded").</summary>
    public decimal DeclineAbove { get; set; } = 5000m;

    /// <summary>Every charge of this customer is declined ("card declined").</summary>
    public string DeclinedCustomerId { get; set; } = "customer-declined";

    /// <summary>Fraction (0..1) of calls that throw <see cref="TransientPaymentException"/>, to exercise retries. Default 0.</summary>
    public double TransientFailureRate { get; set; }

    /// <summary>How long each call takes. Default zero.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;
}
