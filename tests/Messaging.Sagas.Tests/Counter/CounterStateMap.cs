using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OrderSystem.Messaging.Sagas.Tests.Counter;

public class CounterStateMap : SagaClassMap<CounterState>
{
    protected override void ConfigureState(EntityTypeBuilder<CounterState> entity)
    {
        entity.ToTable("counter_state");
        entity.Property(x => x.CurrentState).HasMaxLength(64);
        entity.Property(x => x.Name).HasMaxLength(100);
        entity.HasIndex(x => x.Name);
    }
}
