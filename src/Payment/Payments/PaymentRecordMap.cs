using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OrderSystem.Payment.Payments;

/// <summary>EF Core mapping of <see cref="PaymentRecord"/>.</summary>
public class PaymentRecordMap : IEntityTypeConfiguration<PaymentRecord>
{
    public void Configure(EntityTypeBuilder<PaymentRecord> entity)
    {
        entity.ToTable("payments");
        entity.HasKey(x => x.OrderId);
        entity.Property(x => x.OrderId).HasColumnName("order_id").ValueGeneratedNever();
        entity.Property(x => x.PaymentId).HasColumnName("payment_id");
        entity.Property(x => x.CustomerId).HasColumnName("customer_id").HasMaxLength(100).IsRequired();
        entity.Property(x => x.Amount).HasColumnName("amount").HasPrecision(18, 2);
        entity.Property(x => x.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
        entity.Property(x => x.Reason).HasColumnName("reason").HasMaxLength(1000);
        entity.Property(x => x.CreatedAt).HasColumnName("created_at");
        entity.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        entity.HasIndex(x => x.CustomerId);
    }
}
