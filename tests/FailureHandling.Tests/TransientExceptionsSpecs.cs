using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OrderSystem.Messaging.FailureHandling;

namespace OrderSystem.FailureHandling.Tests;

/// <summary>The classification behind the policy: by type and SQLSTATE, through wrapping exceptions.</summary>
public sealed class TransientExceptionsSpecs
{
    private static PostgresException Postgres(string sqlState) => new("test", "ERROR", "ERROR", sqlState);

    public static TheoryData<string, Exception, bool, bool> Cases => new()
    {
        // description, exception, transient, concurrency conflict
        { "Npgsql command timeout", new NpgsqlException("read", new TimeoutException()), true, false },
        { "connection refused", new NpgsqlException("connect", new SocketException((int)SocketError.ConnectionRefused)), true, false },
        { "timeout", new TimeoutException(), true, false },
        { "admin shutdown 57P01", Postgres("57P01"), true, false },
        { "serialization failure 40001", Postgres("40001"), true, true },
        { "deadlock 40P01 inside DbUpdateException", new DbUpdateException("save", Postgres("40P01")), true, true },
        { "unique violation 23505 inside DbUpdateException", new DbUpdateException("save", Postgres("23505")), false, true },
        { "optimistic concurrency", new DbUpdateConcurrencyException("xmin"), false, true },
        { "socket error in an aggregate", new AggregateException(new InvalidOperationException(), new SocketException()), true, false },
        { "data error 22001", Postgres("22001"), false, false },
        { "validation", new ArgumentException("quantity"), false, false },
        { "bug", new NullReferenceException(), false, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Classifies(string description, Exception exception, bool transient, bool conflict)
    {
        TransientExceptions.IsTransient(exception).ShouldBe(transient, description);
        TransientExceptions.IsConcurrencyConflict(exception).ShouldBe(conflict, description);
        TransientExceptions.IsRetryable(exception).ShouldBe(transient || conflict, description);
    }

    [Fact]
    public void An_endpoint_adds_its_own_transient_exceptions_with_a_condition()
    {
        var policy = new FailurePolicy().Transient<HttpRequestException>(e => e.StatusCode is System.Net.HttpStatusCode.ServiceUnavailable);

        policy.IsTransient(new InvalidOperationException("wrapped", new HttpRequestException("503", null, System.Net.HttpStatusCode.ServiceUnavailable))).ShouldBeTrue();
        policy.IsTransient(new HttpRequestException("400", null, System.Net.HttpStatusCode.BadRequest)).ShouldBeFalse();
        policy.IsRetryable(Postgres("23505")).ShouldBeTrue();
        new FailurePolicy().IsTransient(new HttpRequestException("503", null, System.Net.HttpStatusCode.ServiceUnavailable)).ShouldBeFalse();
    }

    [Fact]
    public void An_endpoint_adds_its_own_conflicts_retried_at_once_and_never_redelivered()
    {
        static PostgresException CheckViolation(string constraint) =>
            new("check", "ERROR", "ERROR", PostgresErrorCodes.CheckViolation, constraintName: constraint);
        var policy = new FailurePolicy().Conflict<PostgresException>(e => e.ConstraintName == "ck_stock_not_negative");

        policy.IsRetryable(new DbUpdateException("save", CheckViolation("ck_stock_not_negative"))).ShouldBeTrue();
        policy.IsTransient(CheckViolation("ck_stock_not_negative")).ShouldBeFalse("a lost race is not redelivered later");
        policy.IsRetryable(CheckViolation("ck_price_not_negative")).ShouldBeFalse("another constraint stays permanent");
        new FailurePolicy().IsRetryable(CheckViolation("ck_stock_not_negative")).ShouldBeFalse();
    }
}
