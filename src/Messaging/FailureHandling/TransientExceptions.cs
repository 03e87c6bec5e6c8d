using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using RabbitMQ.Client.Exceptions;

namespace OrderSystem.Messaging.FailureHandling;

/// <summary>
/// Which exceptions are worth trying again, by type, never by message text. The whole chain is inspected (inner
/// exceptions and aggregates), because EF Core wraps a failed command of <c>SaveChanges</c> in a <see cref="DbUpdateException"/>
/// and MassTransit wraps some transport failures.
/// <list type="bullet">
/// <item><b>Transient</b> (<see cref="IsTransient"/>): the same work will probably succeed later without anyone changing
/// anything: an unreachable or restarting database (<see cref="NpgsqlException.IsTransient"/>: connection failures,
/// SQLSTATE classes 08, 53, 57P, 58, and 40001/40P01), command and connect timeouts (<see cref="TimeoutException"/>),
/// broken sockets, an unreachable or closed broker connection.</item>
/// <item><b>Concurrency conflict</b> (<see cref="IsConcurrencyConflict"/>): another transaction got there first:
/// serialization failure 40001, deadlock 40P01, an optimistic check that failed (<see cref="DbUpdateConcurrencyException"/>,
/// e.g. an optimistic saga's <c>xmin</c> check), and a unique violation 23505 — in a consumer that inserts a row
/// keyed by the message (idempotency key, saga id), the loser of a race fails on the key and, run again, finds the
/// winner's row. A unique violation that is not a race fails the same way on every attempt and ends in the error queue.</item>
/// </list>
/// Everything else is <b>permanent</b>: validation and argument errors, data errors (SQLSTATE 22xxx), constraint
/// violations other than the key race, deserialization failures, unknown message shapes, bugs. Running them again
/// changes nothing, so the failure policy does not.
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

    internal static bool IsRetryable(Exception exception, Func<Exception, bool>? alsoTransient) =>
        IsTransient(exception, alsoTransient) || IsConcurrencyConflict(exception);

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
