using Microsoft.EntityFrameworkCore;

namespace OrderSystem.Messaging.Configuration;

/// <summary>The validated outbox options registered for one DbContext type (a service may have several).</summary>
public sealed class EntityFrameworkOutboxOptionsFor<TDbContext>(EntityFrameworkOutboxOptions value)
    where TDbContext : DbContext
{
    public EntityFrameworkOutboxOptions Value { get; } = value;
}
