using System.Collections.Concurrent;
using Npgsql;

namespace OrderSystem.Messaging.Sagas.Tests;

/// <summary>What <see cref="OuterTransactionFilter{T}"/> saw around one message, keyed by message id.</summary>
public sealed class OuterTransactionProbe(string connectionString)
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<OuterTransactionOutcome>> _outcomes = new();

    public Task<OuterTransactionOutcome> OutcomeOf(Guid messageId) => Slot(messageId).Task;

    public void Record(Guid messageId, OuterTransactionOutcome outcome) => Slot(messageId).TrySetResult(outcome);

    /// <summary>Whether the row exists for a connection that is not the message's: i.e. whether it was committed.</summary>
    public async Task<bool> CommittedRowExistsAsync(Guid counterId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT count(*) FROM counter_state WHERE "CorrelationId" = @id""", connection);
        command.Parameters.AddWithValue("id", counterId);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    private TaskCompletionSource<OuterTransactionOutcome> Slot(Guid messageId) =>
        _outcomes.GetOrAdd(messageId, _ => new TaskCompletionSource<OuterTransactionOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <param name="SagaSucceeded">The saga pipeline returned without an exception.</param>
/// <param name="SameTransactionAfterSaga">The DbContext's transaction after the saga is the one the filter began.</param>
/// <param name="CommittedBeforeOuterCommit">Another connection could see the row before the filter committed.</param>
/// <param name="Error">The saga's exception, if any.</param>
public sealed record OuterTransactionOutcome(bool SagaSucceeded, bool SameTransactionAfterSaga, bool CommittedBeforeOuterCommit, string? Error);
