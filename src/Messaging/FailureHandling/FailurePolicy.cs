namespace OrderSystem.Messaging.FailureHandling;

/// <summary>
/// One endpoint's additions to the shared classification of <see cref="TransientExceptions"/>: the exceptions of the
/// endpoint's own dependencies (a payment provider's "try again", an SMTP server's 4xx) that are transient too, and the
/// endpoint's own lost races (a constraint that refuses a write decided on a row another pass changed since).
/// </summary>
public sealed class FailurePolicy
{
    private readonly List<Func<Exception, bool>> _transient = [];
    private readonly List<Func<Exception, bool>> _conflicts = [];

    /// <summary>Treat <typeparamref name="TException"/> (optionally only when <paramref name="when"/> holds) as transient.</summary>
    public FailurePolicy Transient<TException>(Func<TException, bool>? when = null) where TException : Exception
    {
        _transient.Add(e => e is TException typed && (when is null || when(typed)));
        return this;
    }

    /// <summary>
    /// Treat <typeparamref name="TException"/> (optionally only when <paramref name="when"/> holds) as a concurrency
    /// conflict: another transaction got there first, so the message is retried at once (the retry reads again), and not
    /// redelivered later once the immediate retries are used up.
    /// </summary>
    public FailurePolicy Conflict<TException>(Func<TException, bool>? when = null) where TException : Exception
    {
        _conflicts.Add(e => e is TException typed && (when is null || when(typed)));
        return this;
    }

    /// <summary>Transient for this endpoint: redelivered later when the immediate retries are used up.</summary>
    public bool IsTransient(Exception exception) => TransientExceptions.IsTransient(exception, AlsoTransient);

    /// <summary>Worth an immediate retry: transient, or a concurrency conflict (the shared ones and this endpoint's).</summary>
    public bool IsRetryable(Exception exception) => TransientExceptions.IsRetryable(exception, AlsoTransient, AlsoConflict);

    private Func<Exception, bool>? AlsoTransient => _transient.Count == 0 ? null : e => _transient.Any(t => t(e));

    private Func<Exception, bool>? AlsoConflict => _conflicts.Count == 0 ? null : e => _conflicts.Any(c => c(e));
}
