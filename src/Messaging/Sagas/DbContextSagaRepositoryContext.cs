using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using OrderSystem.Messaging.ConsumerOutbox;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.Sagas;

/// <summary>
/// The repository as one message sees it: loads, inserts and writes saga instances through the message's DbContext,
/// inside the transaction the factory guarantees is open. It is also the message's consume context (a
/// <see cref="ConsumeContextScope{TMessage}"/> carrying the DbContext as a payload), which is what the saga pipeline
/// passes on to the state machine.
/// </summary>
internal sealed class DbContextSagaRepositoryContext<TSaga, TMessage> :
    ConsumeContextScope<TMessage>,
    SagaRepositoryContext<TSaga, TMessage>,
    IDisposable
    where TSaga : class, ISaga, ISagaRowVersion
    where TMessage : class
{
    private const string InsertSavepoint = "saga_insert";

    private readonly DbContext _db;
    private readonly ConsumeContext<TMessage> _consumeContext;
    private readonly ISagaConsumeContextFactory<DbContext, TSaga> _factory;
    private readonly SagaRepositoryLockStrategy<TSaga> _strategy;

    // A query-correlated message updates several instances. MassTransit has run them one after another since v8.0.16
    // (MassTransit#4333; before that, with Task.WhenAll); the gate keeps the writes one at a time whatever a version does,
    // since a DbContext allows one operation at a time.
    private readonly SemaphoreSlim _gate = new(1, 1);

    public DbContextSagaRepositoryContext(
        DbContext db,
        ConsumeContext<TMessage> consumeContext,
        ISagaConsumeContextFactory<DbContext, TSaga> factory,
        SagaRepositoryLockStrategy<TSaga> strategy)
        : base(consumeContext, db)
    {
        _db = db;
        _consumeContext = consumeContext;
        _factory = factory;
        _strategy = strategy;
    }

    /// <summary>A new instance the state machine is about to initialise; written by <see cref="Save"/> afterwards.</summary>
    public async Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance)
    {
        await RunWaitingInboxInsertAsync();
        return await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Add);
    }

    /// <summary>
    /// Inserts a new instance before the state machine runs (events configured with <c>InsertOnInitial</c>). When the
    /// id already exists the insert fails on the primary key; the failure is confined to a savepoint, so the surrounding
    /// transaction (possibly the consumer outbox's) stays usable, the instance is detached, and null tells MassTransit
    /// to load the existing instance instead.
    /// </summary>
    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        await RunWaitingInboxInsertAsync();
        await _strategy.BeforeInsert(_db, instance.CorrelationId, CancellationToken);

        var transaction = _db.Database.CurrentTransaction
            ?? throw new InvalidOperationException("The saga repository inserts only inside a transaction.");
        await transaction.CreateSavepointAsync(InsertSavepoint, CancellationToken);

        var entry = _db.Set<TSaga>().Add(instance);
        try
        {
            await _db.SaveChangesAsync(CancellationToken);
        }
        catch (DbUpdateException e) when (IsDuplicateKey(e))
        {
            entry.State = EntityState.Detached;
            await transaction.RollbackToSavepointAsync(InsertSavepoint, CancellationToken);
            LogContext.Debug?.Log("Saga {SagaType} {CorrelationId} already exists: loading it instead of inserting",
                typeof(TSaga).Name, instance.CorrelationId);
            return null!;
        }
        catch
        {
            entry.State = EntityState.Detached;
            throw;
        }

        await transaction.ReleaseSavepointAsync(InsertSavepoint, CancellationToken);
        CrashPoint.Reach(CrashPoints.SagaInserted);
        return await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await _strategy.Load(_db, correlationId, WaitingInboxInsert(), CancellationToken);
        return instance is null
            ? null!
            : await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Load);
    }

    /// <summary>Writes an instance created through <see cref="Add"/>.</summary>
    public async Task Save(SagaConsumeContext<TSaga> context)
    {
        await _gate.WaitAsync(CancellationToken);
        try
        {
            if (CommitBatch() is { } batch)
            {
                // Untracked: the pass's commit batch inserts it (a duplicate key fails the batch, and the pass is retried).
                batch.Add(SagaRowCommands.Insert(_db, _db.Entry(context.Saga)), expectedRows: 1, $"insert of saga {context.Saga.CorrelationId}");
                CrashPoint.Reach(CrashPoints.SagaInserted);
                return;
            }

            var entry = _db.Set<TSaga>().Add(context.Saga);
            try
            {
                await _db.SaveChangesAsync(CancellationToken);
                CrashPoint.Reach(CrashPoints.SagaInserted);
            }
            catch (DbUpdateException)
            {
                // Typically a concurrent first event in optimistic mode (duplicate key). The state machine already ran
                // against a fresh instance, so the message itself must run again: rethrow for the message retry.
                entry.State = EntityState.Detached;
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Writes the changes the state machine made to a loaded instance (optimistic: checked against xmin).</summary>
    public async Task Update(SagaConsumeContext<TSaga> context)
    {
        await _gate.WaitAsync(CancellationToken);
        try
        {
            if (CommitBatch() is { } batch && TrackedEntries.Of<TSaga>(_db).FirstOrDefault(x => x.Entity == context.Saga) is { } entry)
            {
                // Locked by the load (FOR UPDATE), so the row is there: the pass's commit batch updates it. Untracked
                // from here, so that the pass's SaveChanges does not write it too.
                if (SagaRowCommands.Update(_db, entry) is { } update)
                    batch.Add(update, expectedRows: 1, $"update of saga {context.Saga.CorrelationId}");
                entry.State = EntityState.Detached;
            }
            else
            {
                await _db.SaveChangesAsync(CancellationToken);
            }

            CrashPoint.Reach(CrashPoints.SagaUpdated);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes a finalised instance (state machines with <c>SetCompletedWhenFinalized</c>).</summary>
    public async Task Delete(SagaConsumeContext<TSaga> context)
    {
        await _gate.WaitAsync(CancellationToken);
        try
        {
            _db.Set<TSaga>().Remove(context.Saga);
            await _db.SaveChangesAsync(CancellationToken);
            CrashPoint.Reach(CrashPoints.SagaDeleted);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>An added instance that is not to be kept (completed at once, or the state machine failed).</summary>
    public Task Discard(SagaConsumeContext<TSaga> context)
    {
        var entry = TrackedEntries.Of<TSaga>(_db).FirstOrDefault(x => x.Entity == context.Saga);
        if (entry is not null) entry.State = EntityState.Detached;
        return Task.CompletedTask;
    }

    /// <summary>A read-only pass over a loaded instance: forget whatever the state machine changed.</summary>
    public async Task Undo(SagaConsumeContext<TSaga> context)
    {
        await _gate.WaitAsync(CancellationToken);
        try
        {
            var entry = TrackedEntries.Of<TSaga>(_db).FirstOrDefault(x => x.Entity == context.Saga);
            if (entry is not null)
            {
                entry.CurrentValues.SetValues(entry.OriginalValues);
                entry.State = EntityState.Unchanged;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class
    {
        await RunWaitingInboxInsertAsync();
        return await _factory.CreateSagaConsumeContext(_db, consumeContext, instance, mode);
    }

    /// <summary>
    /// Inside the consumer outbox, a saga's first delivery has its inbox insert waiting for this repository's first
    /// statement (<see cref="InboxInsert"/>): the keyed load carries it (<see cref="Load"/>). Every other way in to the
    /// state machine runs it first, on its own, so that the state machine never runs before the message's inbox row is
    /// this transaction's.
    /// </summary>
    public async Task RunWaitingInboxInsertAsync()
    {
        if (WaitingInboxInsert() is { } insert) await insert.RunIfPendingAsync(_db.Database.PassTransaction(), CancellationToken);
    }

    private InboxInsert? WaitingInboxInsert() => _consumeContext.TryGetPayload<InboxInsert>(out var insert) ? insert : null;

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// The consuming pass's commit batch, when the instance's row can go there: inside the consumer outbox, with row locks
    /// (pessimistic; optimistic mode's row-version check has to fail before the commit, which SaveChanges does), and a
    /// mapping <see cref="SagaRowCommands"/> writes. One round trip less per message that writes the saga.
    /// </summary>
    private PassCommitBatch? CommitBatch() =>
        _strategy.Mode == ConcurrencyMode.Pessimistic
        && _consumeContext.TryGetPayload<PassCommitBatch>(out var batch)
        && SagaRowCommands.Supports(_db, typeof(TSaga))
            ? batch
            : null;

    private static bool IsDuplicateKey(DbUpdateException e) =>
        e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
