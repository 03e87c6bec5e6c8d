using OrderSystem.Contracts.Ordering;
using OrderSystem.OrderFlow.Tests.Email;
using OrderSystem.Testing.Polling;

namespace OrderSystem.OrderFlow.Tests;

/// <summary>The Notification service with an SMTP server configured the way the AppHost's MailPit resource does it.</summary>
public sealed class SmtpFixture : OrderFlowFixture, IDisposable
{
    public SmtpSink Smtp { get; } = new();

    protected override IReadOnlyDictionary<string, string> NotificationSettings =>
        new Dictionary<string, string> { ["ConnectionStrings:smtp"] = $"Endpoint=smtp://127.0.0.1:{Smtp.Port}" };

    public void Dispose() => Smtp.Dispose();
}

/// <summary>Customers get one e-mail per order outcome, through SMTP.</summary>
public class NotificationSpecs(SmtpFixture flow) : IClassFixture<SmtpFixture>
{
    [Fact]
    public async Task Should_mail_the_customer_once_when_the_order_is_confirmed_even_if_the_event_comes_again()
    {
        var sku = await flow.AddProductAsync(available: 3);
        var orderId = await flow.SubmitAsync("heidi", (sku, 1));
        await flow.WaitForStateAsync(orderId, "Confirmed");

        var mail = await Eventually.Get(
            () => Task.FromResult(flow.Smtp.Mails.Where(m => m.Data.Contains($"Subject: Order {orderId} confirmed")).ToList()),
            mails => mails.Count > 0,
            "the confirmation e-mail");
        mail.ShouldHaveSingleItem().To.ShouldBe(["<heidi@customers.ordersystem.example>"]);
        // The SMTP server accepts the mail before the consumer's transaction commits the notification row.
        var recorded = await flow.WaitForNotificationsAsync(orderId, "OrderReceived", "OrderConfirmed");
        recorded.ShouldAllBe(n => n.Channel == "smtp");
        // One mail per outcome: "received" when the order was accepted, "confirmed" at its end.
        flow.Smtp.Mails.Where(m => m.Data.Contains(orderId.ToString())).Select(m => SubjectOf(m.Data))
            .ShouldBe([$"Order {orderId} received", $"Order {orderId} confirmed"], ignoreOrder: true);

        await flow.PublishAndWaitHandledAsync(new OrderConfirmed(orderId, "heidi", 10m, DateTimeOffset.UtcNow));

        flow.Smtp.Mails.Count(m => m.Data.Contains(orderId.ToString())).ShouldBe(2);
    }

    private static string SubjectOf(string data) =>
        data.Replace("\r\n", "\n").Split('\n').First(l => l.StartsWith("Subject: ", StringComparison.Ordinal))["Subject: ".Length..];
}
