using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace OrderSystem.Messaging.Sagas;

/// <summary>
/// Options of the PostgreSQL saga repository, set inside
/// <c>.EntityFrameworkRepository(r =&gt; { r.ConcurrencyMode = …; r.ExistingDbContext&lt;TContext&gt;(); })</c>.
/// The same shape as MassTransit.EntityFrameworkCore's configurator, reduced to what this repository supports.
/// </summary>
public interface IEntityFrameworkSagaRepositoryConfigurator<TSaga>
    where TSaga : class, ISaga, ISagaRowVersion
{
    /// <summary>
    /// <see cref="ConcurrencyMode.Pessimistic"/> (default): each message locks its saga row (<c>SELECT … FOR UPDATE</c>)
    /// and concurrent messages for one instance wait for each other; the creation of a missing instance is serialised
    /// by a transaction-scoped advisory lock on its correlation id. No retry needed for correctness.
    /// <see cref="ConcurrencyMode.Optimistic"/>: no locks; a write that lost a race fails at <c>SaveChanges</c> on the
    /// <c>xmin</c> check (or on the primary key for a concurrent creation) and the endpoint's message retry runs the
    /// message again. Configure <c>UseMessageRetry</c> on the saga endpoint.
    /// </summary>
    ConcurrencyMode ConcurrencyMode { get; set; }

    /// <summary>
    /// Use <typeparamref name="TContext"/> as registered in the container (<c>AddDbContext</c>), resolved from the
    /// message's scope: the same instance the consumer outbox uses, so the saga's write joins its transaction.
    /// The context's model must map <typeparamref name="TSaga"/> (with a <see cref="SagaClassMap{TSaga}"/>).
    /// </summary>
    void ExistingDbContext<TContext>()
        where TContext : DbContext;
}
