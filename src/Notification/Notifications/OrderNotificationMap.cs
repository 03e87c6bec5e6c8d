using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OrderSystem.Notification.Notifications;

/// <summary>EF Core mapping of <see cref="OrderNotification"/>.</summary>
public class OrderNotificationMap : IEntityTypeConfiguration<OrderNotification>
{
    public void Configure(EntityTypeBuilder<OrderNotification> entity)
    {
        entity.ToTable("notifications");
        entity.HasKey(x => x.Id);
        entity.Property(x => x.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        entity.Property(x => x.OrderId).HasColumnName("order_id");
        entity.Property(x => x.Kind).HasColumnName("kind").HasConversion<string>().HasMaxLength(32);
        entity.Property(x => x.CustomerId).HasColumnName("customer_id").HasMaxLength(100);
        entity.Property(x => x.Recipient).HasColumnName("recipient").HasMaxLength(320);
        entity.Property(x => x.Subject).HasColumnName("subject").HasMaxLength(200);
        entity.Property(x => x.Body).HasColumnName("body");
        entity.Property(x => x.Channel).HasColumnName("channel").HasMaxLength(16);
        entity.Property(x => x.CreatedAt).HasColumnName("created_at");
        entity.Property(x => x.SentAt).HasColumnName("sent_at");
        entity.HasIndex(x => new { x.OrderId, x.Kind }).IsUnique();
    }
}
