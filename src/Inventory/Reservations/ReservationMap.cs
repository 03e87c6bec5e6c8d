using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OrderSystem.Contracts.Inventory;
using OrderSystem.Contracts.Ordering;

namespace OrderSystem.Inventory.Reservations;

/// <summary>EF Core mapping of <see cref="Reservation"/>.</summary>
public class ReservationMap : IEntityTypeConfiguration<Reservation>
{
    public void Configure(EntityTypeBuilder<Reservation> entity)
    {
        entity.ToTable("reservations");
        entity.HasKey(x => x.OrderId);
        entity.Property(x => x.OrderId).HasColumnName("order_id").ValueGeneratedNever();
        entity.Property(x => x.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
        entity.Property(x => x.Total).HasColumnName("total").HasPrecision(18, 2);
        entity.Property(x => x.Reason).HasColumnName("reason").HasMaxLength(1000);
        entity.Property(x => x.CreatedAt).HasColumnName("created_at");
        entity.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        entity.Property(x => x.Lines)
            .HasColumnName("lines")
            .HasColumnType("jsonb")
            .HasConversion(
                lines => JsonSerializer.Serialize(lines, JsonSerializerOptions.Web),
                json => JsonSerializer.Deserialize<List<PricedLine>>(json, JsonSerializerOptions.Web) ?? new List<PricedLine>(),
                new ValueComparer<List<PricedLine>>(
                    (a, b) => a!.SequenceEqual(b!),
                    lines => lines.Aggregate(0, (hash, line) => HashCode.Combine(hash, line)),
                    lines => lines.ToList()));
    }
}
