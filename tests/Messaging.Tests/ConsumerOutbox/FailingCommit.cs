using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OrderSystem.Messaging.Tests.ConsumerOutbox;

/// <summary>Makes the commit of one DbContext's transaction fail once, after everything in it was written.</summary>
public sealed class FailingCommit : DbTransactionInterceptor
{
    private volatile DbContext? _target;

    public int Failed;

    public void FailNextCommitOf(DbContext db) => _target = db;

    public override ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is null || !ReferenceEquals(eventData.Context, _target)) return ValueTask.FromResult(result);
        _target = null;
        Interlocked.Increment(ref Failed);
        throw new InvalidOperationException("The commit fails on purpose");
    }
}
