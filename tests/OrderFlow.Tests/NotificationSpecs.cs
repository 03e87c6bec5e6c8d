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
            () => Task.FromResult(flow.Smtp.Mails.Where(m => m.Data.Contains(orderId.ToString())).ToList()),
            mails => mails.Count > 0,
            "the confirmation e-mail");
        mail.ShouldHaveSingleItem().To.ShouldBe(["<heidi@customers.ordersystem.example>"]);
        mail[0].Data.ShouldContain($"Subject: Order {orderId} confirmed");
        // The SMTP server accepts the mail before the consumer's transaction commits the notification row.
        var recorded = await Eventually.Get(() => flow.NotificationsAsync(orderId), n => n.Count > 0, "the notification row");
        recorded.ShouldHaveSingleItem().Channel.ShouldBe("smtp");

        await flow.PublishAndWaitHandledAsync(new OrderConfirmed(orderId, "heidi", 10m, DateTimeOffset.UtcNow));

        flow.Smtp.Mails.Count(m => m.Data.Contains(orderId.ToString())).ShouldBe(1);
    }
}
