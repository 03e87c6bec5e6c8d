namespace OrderSystem.Payment.Provider;

/// <summary>The simulated provider's "try again": the consumer's retry policy handles it.</summary>
public class TransientPaymentException(string message) : Exception(message);
