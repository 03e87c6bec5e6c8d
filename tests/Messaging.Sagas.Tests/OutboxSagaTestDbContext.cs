using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.Sagas.Tests;

/// <summary>The saga's table plus the consumer outbox's (inbox state, outbox state, outbox messages).</summary>
public class OutboxSagaTestDbContext(DbContextOptions<OutboxSagaTestDbContext> options) : SagaTestDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.AddMessagingEntities();
    }
}
