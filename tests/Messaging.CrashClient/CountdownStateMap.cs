using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OrderSystem.Messaging.Sagas;

namespace OrderSystem.Messaging.CrashClient;

/// <summary>Table <c>countdown_state</c>; tests/Messaging.Tests/CrashTesting creates it and reads it with SQL.</summary>
public class CountdownStateMap : SagaClassMap<CountdownState>
{
    protected override void ConfigureState(EntityTypeBuilder<CountdownState> entity)
    {
        entity.ToTable("countdown_state");
        entity.Property(x => x.CorrelationId).HasColumnName("correlation_id");
        entity.Property(x => x.CurrentState).HasColumnName("current_state").HasMaxLength(64);
        entity.Property(x => x.DueToken).HasColumnName("due_token");
        entity.Property(x => x.Starts).HasColumnName("starts");
        entity.Property(x => x.Elapsed).HasColumnName("elapsed");
    }
}
