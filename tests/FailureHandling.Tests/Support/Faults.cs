using Npgsql;

namespace OrderSystem.FailureHandling.Tests.Support;

/// <summary>The exceptions real failures produce, as the fault rules throw them.</summary>
public static class Faults
{
    /// <summary>The SQL of the consumer's insert of its reservation row (after the stock was taken).</summary>
    public const string ReservationInsert = "INSERT INTO reservations";

    /// <summary>What Npgsql throws when a command times out: transient.</summary>
    public static Exception CommandTimeout() =>
        new NpgsqlException("Exception while reading from stream", new TimeoutException("Timeout during reading attempt"));

    /// <summary>A data error (SQLSTATE 22001 string_data_right_truncation): permanent, the same on every attempt.</summary>
    public static Exception ValueTooLong() =>
        new PostgresException("value too long for type character varying(16)", "ERROR", "ERROR", "22001");
}
