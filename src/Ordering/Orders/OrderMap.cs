using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OrderSystem.Ordering.Orders;

/// <summary>EF Core mapping of <see cref="Order"/> (<c>orders</c>).</summary>
public class OrderMap : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> entity)
    {
        entity.ToTable("orders");
        entity.HasKey(x => x.Id);
        entity.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
        entity.Property(x => x.CustomerId).HasColumnName("customer_id").HasMaxLength(100).IsRequired();
        entity.Property(x => x.IdempotencyKey).HasColumnName("idempotency_key").HasMaxLength(200);
        entity.Property(x => x.SubmittedAt).HasColumnName("submitted_at");
        entity.HasIndex(x => x.IdempotencyKey).IsUnique();
        entity.HasIndex(x => x.SubmittedAt);
        entity.Property(x => x.Lines)
            .HasColumnName("lines")
            .HasColumnType("jsonb")
            .HasConversion(
                lines => JsonSerializer.Serialize(lines, JsonSerializerOptions.Web),
                json => JsonSerializer.Deserialize<List<OrderItem>>(json, JsonSerializerOptions.Web) ?? new List<OrderItem>(),
                new ValueComparer<List<OrderItem>>(
                    (a, b) => a!.SequenceEqual(b!),
                    lines => lines.Aggregate(0, (hash, line) => HashCode.Combine(hash, line)),
                    lines => lines.ToList()));
    }
}
