using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using RabbitMQ.Client.Exceptions;

namespace OrderSystem.Messaging.FailureHandling;

/// <summary>
/// The one exception classifier, by type and SQLSTATE, never by message text, through the whole chain (inner exceptions
/// and aggregates: EF Core wraps a failed command in a <see cref="DbUpdateException"/>). Transient: the same work will
/// probably succeed later (database or broker unreachable, timeouts). Concurrency conflict: another transaction got there
/// first (40001, 40P01, an <c>xmin</c> check, a racing insert's 23505). Everything else is permanent.
/// docs/failure-handling.md has the full table.
/// </summary>
public static class TransientExceptions
{
    /// <summary>SQLSTATE 40001 serialization_failure.</summary>
    public const string SerializationFailure = "40001";

    /// <summary>SQLSTATE 40P01 deadlock_detected.</summary>
    public const string DeadlockDetected = "40P01";

    /// <summary>SQLSTATE 23505 unique_violation.</summary>
    public const string UniqueViolation = "23505";

    /// <summary>True when any exception in the chain is a transient infrastructure failure.</summary>
    public static bool IsTransient(Exception exception) => IsTransient(exception, alsoTransient: null);

    /// <summary>True when any exception in the chain is a lost race with a concurrent transaction.</summary>
    public static bool IsConcurrencyConflict(Exception exception) => Chain(exception).Any(IsConflictItself);

    /// <summary>Transient or a concurrency conflict: worth an immediate retry.</summary>
    public static bool IsRetryable(Exception exception) => IsRetryable(exception, alsoTransient: null);

    /// <summary>The classification with an endpoint's own transient exceptions added (<see cref="FailurePolicy"/>).</summary>
    internal static bool IsTransient(Exception exception, Func<Exception, bool>? alsoTransient) =>
        Chain(exception).Any(e => IsTransientItself(e) || alsoTransient?.Invoke(e) == true);

    internal static bool IsRetryable(Exception exception, Func<Exception, bool>? alsoTransient, Func<Exception, bool>? alsoConflict = null) =>
        IsTransient(exception, alsoTransient) || Chain(exception).Any(e => IsConflictItself(e) || alsoConflict?.Invoke(e) == true);

    private static bool IsTransientItself(Exception exception) => exception switch
    {
        NpgsqlException npgsql => npgsql.IsTransient,
        TimeoutException => true,
        SocketException => true,
        BrokerUnreachableException or AlreadyClosedException or ConnectFailureException => true,
        OperationInterruptedException interrupted => interrupted.ShutdownReason is null || interrupted.ShutdownReason.ReplyCode >= 500,
        _ => false,
    };

    private static bool IsConflictItself(Exception exception) => exception switch
    {
        DbUpdateConcurrencyException => true,
        PostgresException postgres => postgres.SqlState is SerializationFailure or DeadlockDetected or UniqueViolation,
        _ => false,
    };

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        var pending = new Stack<Exception>();
        pending.Push(exception);
        var seen = 0;
        while (pending.Count > 0 && seen++ < 32)
        {
            var current = pending.Pop();
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions) pending.Push(inner);
            }
            else if (current.InnerException is not null)
            {
                pending.Push(current.InnerException);
            }
        }
    }
}
