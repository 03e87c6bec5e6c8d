using Npgsql;

namespace OrderSystem.Messaging.Tests.ConsumerOutbox;

/// <summary>
/// Makes one commit fail in the database itself: a deferred constraint trigger on <c>inbox_state</c> that, once armed,
/// raises at the <c>COMMIT</c> of the first transaction that wrote an inbox row, after every statement in it succeeded.
/// That is how a commit really fails (a deferred constraint, a lost connection) and it is the statement that fails, so
/// it works whoever sends the <c>COMMIT</c>: a consuming pass sends it as the last command of its batch, where no EF Core
/// interceptor sees it. Firings are counted by a sequence, which a rollback does not undo.
/// </summary>
public sealed class FailingCommit(string connectionString)
{
    private const string Install = """
        CREATE TABLE failing_commit (armed boolean NOT NULL);
        INSERT INTO failing_commit VALUES (false);
        CREATE SEQUENCE failing_commit_firings;
        CREATE FUNCTION failing_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (SELECT armed FROM failing_commit) THEN
                IF nextval('failing_commit_firings') = 1 THEN
                    RAISE EXCEPTION 'The commit fails on purpose';
                END IF;
            END IF;
            RETURN NULL;
        END $$;
        CREATE CONSTRAINT TRIGGER failing_commit AFTER INSERT OR UPDATE ON inbox_state
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION failing_commit();
        """;

    public Task InstallAsync() => ExecuteAsync(Install);

    /// <summary>From now on, the next commit of a transaction that wrote an inbox row fails (once).</summary>
    public Task ArmAsync() => ExecuteAsync("UPDATE failing_commit SET armed = true");

    /// <summary>How many commits the trigger failed: 0 or 1.</summary>
    public async Task<int> FailedAsync()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT is_called FROM failing_commit_firings", connection);
        return (bool)(await command.ExecuteScalarAsync())! ? 1 : 0;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
