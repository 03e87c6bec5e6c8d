using Microsoft.Extensions.Hosting;
using Shouldly;
using Xunit;

namespace OrderSystem.Platform.Tests;

/// <summary>
/// The names database spans get in a trace (ServiceDefaults' <see cref="DatabaseSpanNames"/>): the operation and the first
/// table, also when the name is remembered from an earlier command with the same text.
/// </summary>
public sealed class DatabaseSpanNameSpecs
{
    [Theory]
    [InlineData("SELECT o.id FROM \"ordering\".\"order_states\" AS o WHERE o.correlation_id = $1 FOR UPDATE", "SELECT order_states")]
    [InlineData("INSERT INTO \"inbox_state\" (message_id, consumer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", "INSERT inbox_state")]
    [InlineData("UPDATE \"inbox_state\" AS i SET delivered = m.delivered FROM unnest($1::bigint[]) AS m(id) WHERE i.id = m.id", "UPDATE inbox_state")]
    [InlineData("DELETE FROM outbox_message AS o USING unnest($1::uuid[]) AS m(message_id) WHERE o.inbox_message_id = m.message_id", "DELETE outbox_message")]
    [InlineData("-- a comment\nWITH due AS (SELECT 1) SELECT * FROM due", "WITH")]
    [InlineData("COMMIT", "COMMIT")]
    [InlineData("VACUUM", "postgresql")]
    [InlineData("", "postgresql")]
    public void A_statement_is_named_by_its_operation_and_first_table(string sql, string expected)
    {
        DatabaseSpanNames.For(sql).ShouldBe(expected);
        DatabaseSpanNames.For(sql).ShouldBe(expected, "the second time, from the names already worked out");
    }

    [Fact]
    public void Statements_with_different_tables_keep_their_own_names()
    {
        var names = Enumerable.Range(0, 3000).Select(i => DatabaseSpanNames.For($"SELECT * FROM table_{i} WHERE id = {i}")).ToList();
        names.Select((name, i) => name == $"SELECT table_{i}").ShouldAllBe(same => same,
            "statements beyond the remembered ones are still named, each by its own text");
    }
}
