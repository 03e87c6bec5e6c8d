using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OrderSystem.Messaging.Sagas;

namespace OrderSystem.Messaging.CrashClient;

/// <summary>Table <c>lease_state</c>; tests/Messaging.Tests/CrashTesting creates it and reads it with SQL.</summary>
public class LeaseStateMap : SagaClassMap<LeaseState>
{
    protected override void ConfigureState(EntityTypeBuilder<LeaseState> entity)
    {
        entity.ToTable("lease_state");
        entity.Property(x => x.CorrelationId).HasColumnName("correlation_id");
        entity.Property(x => x.CurrentState).HasColumnName("current_state").HasMaxLength(64);
        entity.Property(x => x.Opens).HasColumnName("opens");
    }
}
