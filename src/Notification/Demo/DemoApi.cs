using Microsoft.AspNetCore.Http.HttpResults;
using OrderSystem.Notification.Email;

namespace OrderSystem.Notification.Demo;

/// <summary>
/// <c>/demo/mail-outages</c>: turn a mail outage for one customer on and off while the system runs (README, "Break it
/// on purpose"; docs/operations.md). Mapped when <c>Notification:Demo:Enabled</c> is true, by default in Development only.
/// </summary>
public static class DemoApi
{
    public const string EnabledKey = "Notification:Demo:Enabled";

    public record MailOutageView(string CustomerId, string Recipient, string Kind);

    public static RouteGroupBuilder MapDemoApi(this IEndpointRouteBuilder app)
    {
        var outages = app.MapGroup("/demo/mail-outages").WithTags("Demo: break it on purpose");
        outages.MapGet("/", List).WithSummary("Customers whose mail is refused right now.");
        outages.MapPut("/{customerId}", Start)
            .WithSummary("Refuse this customer's mail from now on (kind: permanent, the default, or transient).");
        outages.MapDelete("/{customerId}", End).WithSummary("Deliver this customer's mail again.");
        return outages;
    }

    public static Ok<List<MailOutageView>> List(MailOutage outage, IEmailSender email) =>
        TypedResults.Ok(outage.Customers.Select(c => new MailOutageView(c.Key, email.RecipientFor(c.Key), Name(c.Value))).ToList());

    public static Results<Ok<MailOutageView>, ValidationProblem> Start(string customerId, MailOutage outage, IEmailSender email, ILoggerFactory logs,
        string? kind = null)
    {
        MailOutageKind parsed;
        if (kind is null) parsed = MailOutageKind.Permanent;
        else if (!Enum.TryParse(kind, ignoreCase: true, out parsed) || !Enum.IsDefined(parsed))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["kind"] = ["Either 'permanent' or 'transient'."] });

        outage.Start(customerId, parsed);
        logs.CreateLogger(typeof(DemoApi)).LogWarning("Demo mail outage ON for customer {CustomerId} ({Kind})", customerId, Name(parsed));
        return TypedResults.Ok(new MailOutageView(customerId, email.RecipientFor(customerId), Name(parsed)));
    }

    public static Results<NoContent, NotFound> End(string customerId, MailOutage outage, ILoggerFactory logs)
    {
        if (!outage.End(customerId)) return TypedResults.NotFound();
        logs.CreateLogger(typeof(DemoApi)).LogInformation("Demo mail outage OFF for customer {CustomerId}", customerId);
        return TypedResults.NoContent();
    }

    private static string Name(MailOutageKind kind) => kind.ToString().ToLowerInvariant();
}
