using Microsoft.Extensions.Options;

namespace OrderSystem.Payment.Provider;

/// <summary>
/// A payment provider inside the service, with deterministic rules (see <see cref="PaymentProviderOptions"/>):
/// <list type="number">
/// <item>the configured declined customer is always declined;</item>
/// <item>an amount above <see cref="PaymentProviderOptions.DeclineAbove"/> is declined;</item>
/// <item>anything else is approved.</item>
/// </list>
/// Every call first waits <see cref="PaymentProviderOptions.Latency"/> and fails transiently with probability
/// <see cref="PaymentProviderOptions.TransientFailureRate"/> (both 0 by default).
/// </summary>
public class SimulatedPaymentProvider(IOptionsMonitor<PaymentProviderOptions> options)
{
    public record Decision(bool Approved, string? Reason);

    public async Task<Decision> ChargeAsync(Guid orderId, string customerId, decimal amount, CancellationToken cancellationToken)
    {
        var rules = options.CurrentValue;
        await SimulateCallAsync(rules, cancellationToken);
        if (customerId == rules.DeclinedCustomerId) return new Decision(false, "card declined");
        if (amount > rules.DeclineAbove) return new Decision(false, $"amount {amount} exceeds the limit of {rules.DeclineAbove}");
        return new Decision(true, null);
    }

    public Task RefundAsync(Guid orderId, Guid paymentId, decimal amount, CancellationToken cancellationToken) =>
        SimulateCallAsync(options.CurrentValue, cancellationToken);

    private static async Task SimulateCallAsync(PaymentProviderOptions rules, CancellationToken cancellationToken)
    {
        if (rules.Latency > TimeSpan.Zero) await Task.Delay(rules.Latency, cancellationToken);
        if (rules.TransientFailureRate > 0 && Random.Shared.NextDouble() < rules.TransientFailureRate)
            throw new TransientPaymentException("The payment provider is temporarily unavailable.");
    }
}
