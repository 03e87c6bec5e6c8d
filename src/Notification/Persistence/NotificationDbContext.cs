using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.Storage;
using OrderSystem.Notification.Notifications;

namespace OrderSystem.Notification.Persistence;

/// <summary>The Notification service's own database (notificationdb). No other service reads or writes it.</summary>
public class NotificationDbContext(DbContextOptions<NotificationDbContext> options) : DbContext(options)
{
    public DbSet<OrderNotification> Notifications => Set<OrderNotification>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddMessagingEntities(); // inbox, outbox and scheduled-message tables of the messaging building block
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(NotificationDbContext).Assembly);
    }
}
