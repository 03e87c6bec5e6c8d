using Microsoft.EntityFrameworkCore;

namespace OrderSystem.Notification.Persistence;

/// <summary>The Notification service's own database (notificationdb). No other service reads or writes it.</summary>
public class NotificationDbContext(DbContextOptions<NotificationDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(NotificationDbContext).Assembly);
    }
}
