using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Notification.Persistence;

namespace OrderSystem.Notification.Notifications;

/// <summary><c>GET /notifications?orderId=</c>: what was sent to customers, newest first.</summary>
public static class NotificationsApi
{
    public record NotificationView(Guid OrderId, string Kind, string Recipient, string Subject, string Channel, DateTimeOffset CreatedAt, DateTimeOffset? SentAt);

    public static RouteGroupBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var notifications = app.MapGroup("/notifications").WithTags("Notifications");
        notifications.MapGet("/", ListNotifications);
        return notifications;
    }

    public static async Task<Ok<List<NotificationView>>> ListNotifications(NotificationDbContext db, CancellationToken cancellationToken, Guid? orderId = null)
    {
        var query = db.Notifications.AsNoTracking();
        if (orderId is not null) query = query.Where(n => n.OrderId == orderId);
        var rows = await query.OrderByDescending(n => n.Id).Take(200).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows
            .Select(n => new NotificationView(n.OrderId, n.Kind.ToString(), n.Recipient, n.Subject, n.Channel, n.CreatedAt, n.SentAt))
            .ToList());
    }
}
