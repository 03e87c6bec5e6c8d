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

    // orderId is read as text and checked here, so that "?orderId=" or a typo answers a 400 naming it (a Guid? parameter
    // would fail in binding, before any handler of ours).
    public static async Task<Results<Ok<List<NotificationView>>, ValidationProblem>> ListNotifications(
        NotificationDbContext db, CancellationToken cancellationToken, string? orderId = null)
    {
        Guid? id = null;
        if (orderId is not null)
        {
            if (!Guid.TryParse(orderId, out var parsed))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["orderId"] = [$"'{orderId}' is not an order id (a UUID)."] });
            id = parsed;
        }

        var query = db.Notifications.AsNoTracking();
        if (id is not null) query = query.Where(n => n.OrderId == id);
        var rows = await query.OrderByDescending(n => n.Id).Take(200).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows
            .Select(n => new NotificationView(n.OrderId, n.Kind.ToString(), n.Recipient, n.Subject, n.Channel, n.CreatedAt, n.SentAt))
            .ToList());
    }
}
