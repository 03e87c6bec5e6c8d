namespace OrderSystem.Messaging.FailureHandling;

/// <summary>
/// One endpoint's additions to the shared classification of <see cref="TransientExceptions"/>: the exceptions of the
/// endpoint's own dependencies (a payment provider's "try again", an SMTP server's 4xx) that are transient too.
/// </summary>
public sealed class FailurePolicy
{
    private readonly List<Func<Exception, bool>> _transient = [];

    /// <summary>Treat <typeparamref name="TException"/> (optionally only when <paramref name="when"/> holds) as transient.</summary>
    public FailurePolicy Transient<TException>(Func<TException, bool>? when = null) where TException : Exception
    {
        _transient.Add(e => e is TException typed && (when is null || when(typed)));
        return this;
    }

    /// <summary>Transient for this endpoint: redelivered later when the immediate retries are used up.</summary>
    public bool IsTransient(Exception exception) => TransientExceptions.IsTransient(exception, AlsoTransient);

    /// <summary>Worth an immediate retry: transient, or a concurrency conflict.</summary>
    public bool IsRetryable(Exception exception) => TransientExceptions.IsRetryable(exception, AlsoTransient);

    private Func<Exception, bool>? AlsoTransient => _transient.Count == 0 ? null : e => _transient.Any(t => t(e));
}
