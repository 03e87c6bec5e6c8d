using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OrderSystem.Messaging.Sagas;

namespace OrderSystem.Ordering.Saga;

/// <summary>
/// EF Core mapping of the saga's row (<c>order_states</c>). The base class maps the key (never generated) and the row
/// version (<c>xmin</c>) the saga repository relies on.
/// </summary>
public class OrderStateMap : SagaClassMap<OrderState>
{
    protected override void ConfigureState(EntityTypeBuilder<OrderState> entity)
    {
        entity.ToTable("order_states");
        entity.Property(x => x.CorrelationId).HasColumnName("correlation_id");
        entity.Property(x => x.CurrentState).HasColumnName("current_state").HasMaxLength(64).IsRequired();
        entity.HasIndex(x => x.CurrentState);
        entity.Property(x => x.CustomerId).HasColumnName("customer_id").HasMaxLength(100).IsRequired();
        entity.Property(x => x.Total).HasColumnName("total").HasPrecision(18, 2);
        entity.Property(x => x.Reason).HasColumnName("reason").HasMaxLength(1000);
        entity.Property(x => x.PaymentTimeoutTokenId).HasColumnName("payment_timeout_token_id");
        entity.Property(x => x.History)
            .HasColumnName("history")
            .HasColumnType("jsonb")
            .HasConversion(
                history => JsonSerializer.Serialize(history, JsonSerializerOptions.Web),
                json => JsonSerializer.Deserialize<List<OrderStateChange>>(json, JsonSerializerOptions.Web) ?? new List<OrderStateChange>(),
                new ValueComparer<List<OrderStateChange>>(
                    (a, b) => a!.SequenceEqual(b!),
                    history => history.Aggregate(0, (hash, change) => HashCode.Combine(hash, change)),
                    history => history.ToList()));
    }
}
